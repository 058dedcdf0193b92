/**
 * `steerlab export FILE --safetensors OUT` and `steerlab import MODEL.safetensors --out FILE`:
 * weights in PyTorch's key names and layout, so the seed author's model, or any MLP of the module
 * list (docs/model-spec.md), can be steered here. Export writes the module list as the metadata
 * entry `steerlab.modules`; import reads it, or takes it from --activation/--layernorm.
 */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readSessionFile, writeSessionFile } from '../../session/store.js';
import { saveSessionShared } from '../../session/shared-save.js';
import { newSession } from '../../session/format.js';
import { encodeSafetensors, decodeSafetensors, readSafetensorsFile } from '../../io/safetensors.js';
import { modelSha256 } from '../../model/fingerprint.js';
import { APP_VERSION } from '../../version.js';
import { ACTIVATIONS, formatModuleList } from '../../model/spec.js';
import { specOf } from '../../model/weights.js';
import { MODULES_METADATA_KEY } from '../../io/spec-from-tensors.js';
import { activationListFlag } from '../flags.js';
import { writeOutputFile, prepareOutputs } from '../output-files.js';
import path from 'node:path';

export function exportCommand(): Command {
  return new Command('export')
    .description("write a session's weights as safetensors (PyTorch key names: linear_relu_stack.0.weight [512,784], ...; the module list in __metadata__ steerlab.modules)")
    .argument('<file>', 'session file')
    .requiredOption('--safetensors <out>', 'safetensors file to write')
    .action(async (file: string, flags: { safetensors: string }) => {
      await prepareOutputs({ '--safetensors': flags.safetensors });
      const session = await readSessionFile(file);
      const modules = formatModuleList(specOf(session.weights));
      const bytes = encodeSafetensors(session.weights, { format: 'pt', producer: `steerlab ${APP_VERSION}`, [MODULES_METADATA_KEY]: modules });
      await writeOutputFile('--safetensors', flags.safetensors, bytes);
      process.stdout.write(`wrote ${flags.safetensors} (model ${modelSha256(session.weights).slice(0, 12)}, modules ${modules})\n`);
    });
}

export function importCommand(): Command {
  return new Command('import')
    .description('make a session from a PyTorch-layout safetensors MLP (linear_relu_stack.{k}.weight/.bias); the modules come from --activation/--layernorm, the file\'s steerlab.modules metadata, or are the seed\'s ReLU layers')
    .argument('<model>', 'safetensors file')
    .requiredOption('--out <file>', 'session file to write')
    .option('--activation <list>', `the activation after each hidden Linear: one for all or one per layer (e.g. gelu,tanh); ${ACTIVATIONS.join(', ')}`)
    .option('--layernorm', 'the file has a LayerNorm after every hidden Linear (linear_relu_stack.{k+1}.weight/.bias of its width)')
    .action(async (model: string, flags: { out: string; activation?: string; layernorm?: boolean }) => {
      const moduleFlags = { ...(flags.activation === undefined ? {} : { activations: activationListFlag(flags.activation) }), ...(flags.layernorm ? { layernorm: true } : {}) };
      await prepareOutputs({ '--out': flags.out });
      const bytes = await readSafetensorsFile(model);
      const { weights } = decodeSafetensors(bytes, model, moduleFlags);
      const existed = existsSync(flags.out);
      await saveSessionShared(flags.out, newSession(weights, { name: path.basename(model) }), null);
      // Say which it was: a user importing over an existing session should know it was replaced.
      process.stdout.write(`${existed ? 'replaced' : 'created'} ${flags.out} (model ${modelSha256(weights).slice(0, 12)}, sizes ${weights.sizes.join('-')}, modules ${formatModuleList(specOf(weights))})\n`);
    });
}
