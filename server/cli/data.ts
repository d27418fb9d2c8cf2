/**
 * npm run data [-- --download]
 * Puts Fashion-MNIST in place and says what it did: verifies a folder that already has the files,
 * else installs Debian's dataset-fashion-mnist (as root), else downloads the official files into
 * data/fashion-mnist with their SHA-256 checked.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { downloadVerified } from '../ml/data/download';
import { DEBIAN_DIR, findDataDir, LOCAL_DIR, type ResolvedDataDir } from '../ml/data/fashionMnist';
import { checkFolder, DEBIAN_PACKAGE, DOWNLOAD_MIRRORS, OFFICIAL_FILES } from '../ml/data/official';

const say = (line: string): void => void process.stdout.write(line + '\n');

async function verify(found: Pick<ResolvedDataDir, 'dir' | 'description'>): Promise<void> {
  say(`Checking the four files in ${found.description} ...`);
  const check = await checkFolder(found.dir);
  const official =
    check.differing.length === 0
      ? 'contents identical to the official release (SHA-256 of the uncompressed files)'
      : `WARNING: ${check.differing.join(', ')} differ from the official release`;
  say(
    `Fashion-MNIST is ready in ${found.dir}: ${check.counts.train} training and ${check.counts.test} test images with labels, ${official}.`,
  );
}

const hasAptGet = (): boolean => spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error === undefined;
const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs apt-get with its output shown; true when it succeeded. */
const aptGet = (...args: string[]): boolean => spawnSync('apt-get', args, { stdio: 'inherit' }).status === 0;

function installDebianPackage(): boolean {
  say(`Installing the Debian package ${DEBIAN_PACKAGE} (apt-get install -y ${DEBIAN_PACKAGE}) ...`);
  if (aptGet('install', '-y', DEBIAN_PACKAGE)) return true;
  say('apt-get install failed; refreshing the package lists (apt-get update) and trying once more ...');
  return aptGet('update') && aptGet('install', '-y', DEBIAN_PACKAGE);
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

async function downloadOfficial(dir: string): Promise<void> {
  say(`Downloading the official Fashion-MNIST files into ${dir} ...`);
  for (const file of OFFICIAL_FILES) {
    const dest = path.join(dir, file.name);
    if (existsSync(dest) && (await sha256OfFile(dest)) === file.sha256) {
      say(`  ${file.name}: already there, SHA-256 verified`);
      continue;
    }
    const bar = new cliProgress.SingleBar(
      { format: `  ${file.name.padEnd(27)} |{bar}| {percentage}% | {doneMb}/{totalMb} MB`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(file.size, 0, { doneMb: '0.0', totalMb: mb(file.size) });
    try {
      const { url } = await downloadVerified({
        urls: DOWNLOAD_MIRRORS.map((base) => base + file.name),
        dest,
        sha256: file.sha256,
        onProgress: (p) => bar.update(Math.min(p.received, file.size), { doneMb: mb(p.received) }),
      });
      bar.stop();
      say(`  ${file.name}: ${mb(file.size)} MB from ${new URL(url).host}, SHA-256 verified`);
    } catch (err) {
      bar.stop();
      throw err;
    }
  }
}

const program = new Command('data')
  .description('Put the Fashion-MNIST data set in place (verify, install the Debian package, or download).')
  .option('--download', `download the official files into ${LOCAL_DIR} even where apt-get exists`);

await runCli(async () => {
  program.parse();
  const { download } = program.opts();
  const found = findDataDir();
  if (found) return verify(found);

  const localDir = path.resolve(LOCAL_DIR);
  if (!download && hasAptGet()) {
    if (!isRoot()) {
      throw new UserFacingError(
        `Fashion-MNIST is not installed: run \`sudo apt-get install -y ${DEBIAN_PACKAGE}\` (it needs root), or \`npm run data -- --download\` to download the official files into ${LOCAL_DIR}.`,
      );
    }
    if (installDebianPackage()) {
      return verify({
        dir: DEBIAN_DIR,
        description: `${DEBIAN_DIR} (the Debian package ${DEBIAN_PACKAGE}, just installed)`,
      });
    }
    say(`Installing ${DEBIAN_PACKAGE} failed; downloading the official files instead.`);
  }
  await downloadOfficial(localDir);
  await verify({ dir: localDir, description: `${localDir} (just downloaded)` });
});
