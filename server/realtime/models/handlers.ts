/**
 * Model versions on every connection: the list the pickers and /models show, one version's page,
 * and the operator's choice of the served default (refused without the server's ADMIN_TOKEN); the
 * HTTP routes that download a version's files as one archive and its report card picture. On
 * attach, the committed models and their assessments are imported once (importCommitted.ts).
 */
import { getDbLazily } from '../../db/lazy';
import path from 'node:path';
import { checkAdmin } from '../../admin';
import type { Db, ModelKind } from '../../db';
import { ApiError, type ApiRoute } from '../../http/api';
import { ArchiveCache } from '../../modelVersions/archive';
import { findVersion, listVersions, setServed, unavailableReason } from '../../modelVersions/catalog';
import { importCommittedModels } from '../../modelVersions/importCommitted';
import { ReportCards } from '../../modelVersions/reportCard';
import { Moderation } from '../../moderation';
import type { ModelVersionSummary } from '../../../lib/protocol';
import { Limits } from '../../limits';
import { actorOf } from '../actor';
import { onRequest, type PlaygroundServer, type PlaygroundSocket } from '../requests';

export interface ModelsOptions {
  /** The default folders served when the operator chose nothing (default MODELS_DIR/cnn and /vae). */
  defaultDirs?: Partial<Record<ModelKind, string>>;
  /** The operator's credential; default ADMIN_TOKEN of the environment (unset: nobody may change the default). */
  adminToken?: string;
  /** Import the committed models of MODELS_DIR and their assessments at start; default true. */
  importCommitted?: boolean;
  getDb?: () => Promise<Db>;
  /** Told after the operator changed the served default (recognizers and generators drop their cache). */
  onServedChange?: (kind: ModelKind) => void;
  /** Folder with the t10k files the report cards are drawn from; unset: the usual resolution. */
  dataDir?: string;
  /** What an operator hid (server/moderation.ts): a session host's hidden nickname; default nothing is hidden. */
  moderation?: Moderation;
  /** The playground's rate limits (operator requests, downloads); default this module's own, with the defaults. */
  limits?: Limits;
}

export interface AttachedModels {
  routes: ApiRoute[];
  /** Resolves when the committed models have been imported (or the import failed and was logged). */
  imported: Promise<void>;
  detach(): void;
}

export async function attachModels(io: PlaygroundServer, options: ModelsOptions = {}): Promise<AttachedModels> {
  const { env } = await import('../../env');
  const getDb = options.getDb ?? getDbLazily;
  const defaultDirs: Record<ModelKind, string> = {
    cnn: options.defaultDirs?.cnn ?? path.join(env.MODELS_DIR, 'cnn'),
    vae: options.defaultDirs?.vae ?? path.join(env.MODELS_DIR, 'vae'),
  };
  const cards = new ReportCards(getDb, options.dataDir);
  const archives = new ArchiveCache();
  const limits = options.limits ?? new Limits();
  const adminToken = 'adminToken' in options ? options.adminToken : env.ADMIN_TOKEN;

  const imported =
    options.importCommitted === false
      ? Promise.resolve()
      : getDb()
          .then((db) => importCommittedModels(db, env.MODELS_DIR))
          .then(
            (n) => void (n > 0 && console.log(`[models] imported ${n} committed assessment(s) from ${env.MODELS_DIR}`)),
            (err: unknown) =>
              console.error(
                '[models] could not import the committed models:',
                err instanceof Error ? err.message : err,
              ),
          );

  const summaryOf = async (db: Db, id: number) => {
    const [summary] = await listVersions(db, null, defaultDirs, { id });
    if (!summary) throw new ApiError(404, `There is no model version ${id}; pick one from the list on /models.`);
    return summary;
  };

  const moderation = options.moderation ?? new Moderation(getDb);
  /** A version as others see it: its session host's nickname may be hidden. */
  const shown = async <V extends ModelVersionSummary>(v: V): Promise<V> => {
    await moderation.ready();
    return v.session
      ? { ...v, session: { ...v.session, hostNickname: moderation.nickname(v.session.hostNickname) } }
      : v;
  };

  const onConnection = (socket: PlaygroundSocket): void => {
    onRequest(socket, 'models:list', async ({ kind }) => {
      await imported;
      return { versions: await Promise.all((await listVersions(await getDb(), kind, defaultDirs)).map(shown)) };
    });

    onRequest(socket, 'models:get', async ({ id }) => {
      const db = await getDb();
      const version = await db.modelVersion.findUnique({
        where: { id },
        include: { assessments: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 50 } },
      });
      if (!version) throw new ApiError(404, `There is no model version ${id}; pick one from the list on /models.`);
      const summary = await shown(await summaryOf(db, id));
      return {
        ...summary,
        trainingLog: version.trainingLog,
        assessments: version.assessments.map((a) => ({
          id: a.id,
          source: a.source,
          createdAt: a.createdAt.toISOString(),
          metrics: a.metrics,
        })),
        archiveUrl: `/api/models/${id}/archive`,
        reportCardUrl: version.kind === 'cnn' && summary.available ? `/api/models/${id}/report-card.png` : null,
      };
    });

    onRequest(socket, 'models:serve', async ({ id, adminToken: token }) => {
      // Charged before the check, as the moderator's requests are: no guessing the token at socket speed.
      await limits.take('operator', actorOf(socket));
      checkAdmin(token, adminToken);
      const db = await getDb();
      const version = await setServed(db, id);
      options.onServedChange?.(version.kind);
      console.log(`[models] the operator serves ${version.kind} version ${id} (${version.path}) by default`);
      return { served: await summaryOf(db, id) };
    });
  };

  const idOf = (params: Record<string, string>): number => {
    const id = Number(params.id);
    if (!Number.isInteger(id) || id <= 0) throw new ApiError(400, 'A model version is a positive whole number.');
    return id;
  };
  const routes: ApiRoute[] = [
    {
      method: 'GET',
      pattern: 'models/:id/archive',
      handler: async (req, params) => {
        const db = await getDb();
        const version = await db.modelVersion.findUnique({ where: { id: idOf(params) } });
        if (!version) throw new ApiError(404, `There is no model version ${params.id}.`);
        const gone = await unavailableReason(db, version);
        if (gone) throw new ApiError(410, gone);
        await limits.take('modelDownload', { guest: null, address: req.address });
        const { name, data } = await archives.get(version);
        return {
          body: data,
          headers: { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="${name}"` },
        };
      },
    },
    {
      method: 'GET',
      pattern: 'models/:id/report-card.png',
      handler: async (_req, params) => {
        const version = await findVersion(await getDb(), idOf(params), 'cnn');
        return {
          body: await cards.get(version.id),
          headers: { 'content-type': 'image/png', 'cache-control': 'max-age=300' },
        };
      },
    },
  ];

  io.on('connection', onConnection);
  return {
    routes,
    imported,
    detach() {
      io.off('connection', onConnection);
    },
  };
}
