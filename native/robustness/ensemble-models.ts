/**
 * The models of a seed ensemble, read from session files: each one's weights with what names it
 * (file name, model SHA-256, training seed, test cross-entropy). `steerlab compare` and the
 * Robustness view's compare job both read their models here, so both name them alike.
 */
import path from 'node:path';
import type { Session } from '../session/format.js';
import { readSessionFile } from '../session/store.js';
import { modelSha256 } from '../model/fingerprint.js';
import type { EnsembleModel } from './ensemble.js';
import { DATASET_LABELS, datasetOfHeader, type DatasetName } from '../data/dataset-names.js';

/** One ensemble model from a session (its weights are shared, not copied). */
export function ensembleModelOf(name: string, session: Pick<Session, 'header' | 'weights'>): EnsembleModel {
  const training = session.header.training;
  return { name, modelSha256: modelSha256(session.weights), seed: training?.config.seed ?? null, testCeNats: training?.testCeNats ?? null, weights: session.weights };
}

/**
 * The ensemble's models from session files, named by file name, in the order given. With
 * `dataset` (the workbench's open session's), a model trained on another dataset is refused: its
 * table would be scored on images it never learnt.
 */
export async function ensembleModelsFromFiles(files: string[], dataset?: DatasetName): Promise<EnsembleModel[]> {
  return Promise.all(
    files.map(async (file) => {
      const session = await readSessionFile(file);
      const own = datasetOfHeader(session.header);
      if (dataset !== undefined && own !== dataset) {
        throw new Error(`${path.basename(file)} was trained on ${DATASET_LABELS[own].title} but this session's model on ${DATASET_LABELS[dataset].title}; compare models trained on one dataset.`);
      }
      return ensembleModelOf(path.basename(file), session);
    }),
  );
}

/**
 * Refuses an ensemble that holds one model twice: its tables would agree perfectly and raise the
 * noise ceiling for no reason. The sentence names both sessions.
 */
export function checkDistinctModels(models: Pick<EnsembleModel, 'name' | 'modelSha256'>[]): void {
  const seen = new Map<string, string>();
  for (const m of models) {
    const earlier = seen.get(m.modelSha256);
    if (earlier !== undefined) throw new Error(`${earlier} and ${m.name} hold the same model (SHA-256 ${m.modelSha256.slice(0, 12)}); compare models trained with different seeds.`);
    seen.set(m.modelSha256, m.name);
  }
}
