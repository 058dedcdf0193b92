/**
 * The one mapping from a zoo cell to what the trainer is given. Written against the training
 * options this SteerLab's trainer has (train/train-types.ts: two hidden Linear+ReLU layers, Adam,
 * no dropout, weight decay or LayerNorm); a cell that needs more is refused up front with one
 * sentence naming the factor, so no zoo starts training and fails halfway. When the general
 * engine lands, only this file changes.
 */
import type { TrainConfig } from '../train/train-types.js';
import type { DatasetName } from '../data/dataset-names.js';
import { cellId, type ZooCell, type ZooTraining } from './plan.js';

export interface CellTraining {
  dataset: DatasetName;
  config: TrainConfig;
  /** Train on only the first N images (trainer option limitTrain). */
  limitTrain?: number;
}

/** Why a cell cannot be trained here: the factor, the level and what is possible. */
export class CellRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CellRefused';
  }
}

/** The trainer's options for `cell`, or a CellRefused naming the first factor it cannot train. */
export function cellTrainingOptions(cell: ZooCell, training: ZooTraining): CellTraining {
  const refuse = (factor: string, level: unknown, possible: string) => {
    throw new CellRefused(
      `Cell ${cellId(cell)} needs ${factor} ${JSON.stringify(level)}, which this SteerLab's trainer cannot train yet (${possible}); ` +
        'remove that level from the plan or wait for the general MLP engine.',
    );
  };
  if (cell.hidden.length !== 2) refuse('depth', cell.hidden.length, 'only depth 2');
  if (cell.activation !== 'relu') refuse('activation', cell.activation, 'only relu');
  if (cell.layernorm) refuse('layernorm', true, 'only false');
  if (cell.dropout !== 0) refuse('dropout', cell.dropout, 'only 0');
  if (cell.weightDecay !== 0) refuse('weightDecay', cell.weightDecay, 'only 0');
  if (cell.optimizer !== 'adam') refuse('optimizer', cell.optimizer, 'only adam');
  return {
    dataset: cell.dataset,
    config: { epochs: cell.epochs, batchSize: training.batchSize, learningRate: training.learningRate, seed: cell.seed, hidden: [...cell.hidden] },
    ...(training.trainImages === undefined ? {} : { limitTrain: training.trainImages }),
  };
}
