/**
 * `steerlab doctor`: which backend is used and why the faster ones are not, where MNIST is read
 * from and whether it verifies, and the versions involved.
 */
import { Command } from 'commander';
import { tf } from '../../util/tfjs.js';
import { selectBackend, describeBackend } from '../../backend/select.js';
import { nativeStatus } from '../../backend/backend-types.js';
import { addonPath, loadNativeAddon } from '../../backend/native-addon.js';
import { loadMnist, locateMnist, defaultCacheDir } from '../../data/mnist.js';
import { APP_VERSION } from '../../version.js';
import { withEngineFlags, type EngineFlags } from '../common.js';

export function doctorCommand(): Command {
  return withEngineFlags(new Command('doctor').description('report the backend in use, the skipped ones and why, and the data')).action(
    async (flags: EngineFlags) => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      out(`steerlab ${APP_VERSION}, node ${process.versions.node}, tfjs ${tf.version_core}`);
      const report = await selectBackend({ forced: flags.backend });
      describeBackend(report).forEach(out);
      out(`${nativeStatus(report)} [addon: ${addonPath()}]`);
      const load = loadNativeAddon();
      if (report.name !== 'native' && !('addon' in load) && !report.skipped.some((s) => s.name === 'native')) out(`  and it is unavailable: ${load.reason}`);
      const where = locateMnist({ dataDir: flags.data });
      if (!where) {
        out(`data: not found (looked at --data, $STEERLAB_DATA and ${defaultCacheDir()}); the first command that needs it will download it`);
        return;
      }
      const data = await loadMnist({ dataDir: flags.data, download: false });
      out(`data: ${data.dir} (from ${where.source}), ${data.train.count} training and ${data.test.count} test images, checksums verified`);
    },
  );
}
