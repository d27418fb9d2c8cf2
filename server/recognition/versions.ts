/**
 * Which CNN answers a drawing: the version a person picked (any stored CNN model version), or the
 * one the server serves by default (the operator's choice, else the model folder the server was
 * started with). A small cache of recognizers, one per model folder, around the Recognizer; the
 * recognizer itself does not know about versions.
 */
import path from 'node:path';
import type { Db } from '../db';
import { findVersion, servedVersion, versionDir, versionTag } from '../modelVersions/catalog';
import { Recognizer } from './recognizer';

export interface PickedRecognizer {
  recognizer: Recognizer;
  /** The model version that answers; null when the served folder is not registered in the database. */
  modelVersionId: number | null;
}

/** How long the served default, or a picked version's folder, is taken as known before the database is asked again. */
const SERVED_CHECK_MS = 2000;

export class RecognizerChoice {
  private readonly byDir = new Map<string, Recognizer>();
  /** A picked version's folder, checked again after SERVED_CHECK_MS (it may have been replaced or deleted). */
  private readonly dirOfVersion = new Map<number, { dir: string; at: number }>();
  private served: { at: number; dir: string | null; id: number | null; tag: string | null } | null = null;

  /** `fallback` serves the model folder the server was started with (MODELS_DIR/cnn). */
  constructor(
    readonly fallback: Recognizer,
    private readonly getDb: () => Promise<Db>,
    private readonly maxCached = 4,
  ) {}

  /** The recognizer for a picked version (refused when unknown or not a CNN), or the served default for null. */
  async pick(modelVersionId: number | null | undefined): Promise<PickedRecognizer> {
    if (modelVersionId != null) {
      let known = this.dirOfVersion.get(modelVersionId);
      if (known === undefined || Date.now() - known.at >= SERVED_CHECK_MS) {
        known = { dir: versionDir(await findVersion(await this.getDb(), modelVersionId, 'cnn')), at: Date.now() };
        this.dirOfVersion.set(modelVersionId, known);
      }
      return { recognizer: this.recognizerFor(known.dir), modelVersionId };
    }
    const served = await this.servedDefault();
    if (served.dir && served.dir !== path.resolve(this.fallback.modelDir))
      return { recognizer: this.recognizerFor(served.dir), modelVersionId: served.id };
    // The fallback folder may have been retrained since its version was registered: only a matching tag names it.
    const loaded = await this.fallback.model();
    return { recognizer: this.fallback, modelVersionId: served.tag === loaded.version ? served.id : null };
  }

  /** The recognizer serving by default now (for the status panel). */
  async servedRecognizer(): Promise<Recognizer> {
    return (await this.pick(null)).recognizer;
  }

  /** Forgets the cached default (after the operator changed it). */
  invalidate(): void {
    this.served = null;
  }

  async dispose(): Promise<void> {
    const all = [...this.byDir.values(), this.fallback];
    this.byDir.clear();
    await Promise.all(all.map((r) => r.dispose()));
  }

  private async servedDefault(): Promise<{ dir: string | null; id: number | null; tag: string | null }> {
    if (this.served && Date.now() - this.served.at < SERVED_CHECK_MS) return this.served;
    try {
      const version = await servedVersion(await this.getDb(), 'cnn', this.fallback.modelDir);
      this.served = {
        at: Date.now(),
        dir: version ? versionDir(version) : null,
        id: version?.id ?? null,
        tag: version ? versionTag(version) : null,
      };
    } catch (err) {
      // A database that is down must not stop drawings: the fallback folder answers.
      console.error(
        '[recognition] could not look up the served model version:',
        err instanceof Error ? err.message : err,
      );
      this.served = { at: Date.now(), dir: null, id: null, tag: null };
    }
    return this.served;
  }

  private recognizerFor(dir: string): Recognizer {
    if (dir === path.resolve(this.fallback.modelDir)) return this.fallback;
    let r = this.byDir.get(dir);
    if (r) {
      this.byDir.delete(dir); // most recently used last
      this.byDir.set(dir, r);
      return r;
    }
    r = new Recognizer(dir);
    this.byDir.set(dir, r);
    while (this.byDir.size > this.maxCached) {
      const [oldest, old] = this.byDir.entries().next().value as [string, Recognizer];
      this.byDir.delete(oldest);
      old.dispose();
    }
    return r;
  }
}
