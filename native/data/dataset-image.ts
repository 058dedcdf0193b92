/**
 * One dataset image as the workbench shows it. Apart from browse.ts because the renderer's types
 * (service/workbench-types.ts) name it, and browse.ts reaches the Node-only data loader.
 */
export interface DatasetImage {
  split: 'train' | 'test';
  index: number;
  label: number;
  /** 784 values in [0, 1]. */
  pixels: number[];
}
