/**
 * The datasets SteerLab knows, as plain data (no Node import): their names, titles and class
 * names, so sessions, the CLI, reports and the renderer label classes alike. Where and how the
 * files are found and verified is native/data/datasets.ts.
 */

export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Sessions written before datasets were recorded were all trained on MNIST. */
export const DEFAULT_DATASET: DatasetName = 'mnist';

export interface DatasetLabels {
  name: DatasetName;
  /** As written in prose and reports. */
  title: string;
  /** Class k's name, k = 0..9 (the label stored in the IDX file). */
  classNames: readonly string[];
}

export const DATASET_LABELS: Readonly<Record<DatasetName, DatasetLabels>> = {
  mnist: { name: 'mnist', title: 'MNIST', classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
  // Zalando's labels, in the order of their README (label 0 = T-shirt/top, ..., 9 = Ankle boot).
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
};

/** True for a name in DATASET_NAMES. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** The dataset a session's model was trained on: its recorded name, else MNIST (older sessions). */
export function datasetOfHeader(header: { dataset?: { name?: DatasetName } }): DatasetName {
  return header.dataset?.name ?? DEFAULT_DATASET;
}

/** Refuses an unknown dataset name with one sentence naming the known ones. */
export function parseDatasetName(name: string, where: string): DatasetName {
  if (isDatasetName(name)) return name;
  throw new Error(`${where} "${name.slice(0, 60)}" is not a dataset SteerLab knows; use one of ${DATASET_NAMES.join(', ')}.`);
}
