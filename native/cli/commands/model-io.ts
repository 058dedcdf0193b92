/**
 * `steerlab export FILE --safetensors OUT` and `steerlab import MODEL.safetensors --out FILE`:
 * weights in PyTorch's key names and layout, so the seed author's model can be steered here.
 */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readSessionFile, writeSessionFile } from '../../session/store.js';
import { saveSessionShared } from '../../session/shared-save.js';
import { newSession } from '../../session/format.js';
import { encodeSafetensors, decodeSafetensors, readSafetensorsFile } from '../../io/safetensors.js';
import { modelSha256 } from '../../model/fingerprint.js';
import { APP_VERSION } from '../../version.js';
import { writeOutputFile, prepareOutputs } from '../output-files.js';
import path from 'node:path';

export function exportCommand(): Command {
  return new Command('export')
    .description("write a session's weights as safetensors (PyTorch key names: linear_relu_stack.0.weight [512,784], ...)")
    .argument('<file>', 'session file')
    .requiredOption('--safetensors <out>', 'safetensors file to write')
    .action(async (file: string, flags: { safetensors: string }) => {
      await prepareOutputs({ '--safetensors': flags.safetensors });
      const session = await readSessionFile(file);
      const bytes = encodeSafetensors(session.weights, { format: 'pt', producer: `steerlab ${APP_VERSION}` });
      await writeOutputFile('--safetensors', flags.safetensors, bytes);
      process.stdout.write(`wrote ${flags.safetensors} (model ${modelSha256(session.weights).slice(0, 12)})\n`);
    });
}

export function importCommand(): Command {
  return new Command('import')
    .description('make a session from a PyTorch-layout safetensors model of the seed architecture')
    .argument('<model>', 'safetensors file')
    .requiredOption('--out <file>', 'session file to write')
    .action(async (model: string, flags: { out: string }) => {
      await prepareOutputs({ '--out': flags.out });
      const bytes = await readSafetensorsFile(model);
      const { weights } = decodeSafetensors(bytes, model);
      const existed = existsSync(flags.out);
      await saveSessionShared(flags.out, newSession(weights, { name: path.basename(model) }), null);
      // Say which it was: a user importing over an existing session should know it was replaced.
      process.stdout.write(`${existed ? 'replaced' : 'created'} ${flags.out} (model ${modelSha256(weights).slice(0, 12)}, sizes ${weights.sizes.join('-')})\n`);
    });
}
