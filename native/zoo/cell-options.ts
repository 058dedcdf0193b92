/**
 * The one mapping from a zoo cell to what the trainer is given (train/train-types.ts). The trainer
 * trains any MLP of 1 to 6 hidden layers (issue 18's engine); its weight decay is always
 * decoupled as in torch.optim.AdamW, so the plan's "adamw" is Adam with the cell's weight decay,
 * and "adam" with a weight decay is the same optimiser. SGD runs without momentum (the plan has no
 * momentum factor). What the trainer still refuses (depth 7, say) is refused here, up front, with
 * one sentence naming the cell, so no zoo starts training and fails halfway.
 */
import type { TrainConfig } from '../train/train-types.js';
import { validateTrainConfig } from '../train/trainer.js';
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

/** The trainer's options for `cell`, or a CellRefused saying why the trainer cannot train it. */
export function cellTrainingOptions(cell: ZooCell, training: ZooTraining): CellTraining {
  const config: TrainConfig = {
    epochs: cell.epochs,
    batchSize: training.batchSize,
    learningRate: training.learningRate,
    seed: cell.seed,
    hidden: [...cell.hidden],
    ...(cell.activation === 'relu' ? {} : { activations: [cell.activation] }),
    ...(cell.layernorm ? { layernorm: true } : {}),
    ...(cell.dropout !== 0 ? { dropout: cell.dropout } : {}),
    ...(cell.weightDecay !== 0 ? { weightDecay: cell.weightDecay } : {}),
    ...(cell.optimizer === 'sgd' ? { optimizer: 'sgd' as const, momentum: 0 } : {}),
  };
  try {
    validateTrainConfig(config);
  } catch (error) {
    throw new CellRefused(`Cell ${cellId(cell)} cannot be trained: ${(error as Error).message.replace(/\.$/, '')}; change that level in the plan.`);
  }
  return {
    dataset: cell.dataset,
    config,
    ...(training.trainImages === undefined ? {} : { limitTrain: training.trainImages }),
  };
}
