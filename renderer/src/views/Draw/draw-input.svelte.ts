/**
 * The one piece of state other views share with the Draw view: "show this image as the input",
 * and, when the image comes from an analysis, "steer it as that analysis did". The Data view and
 * the Sweep cell's steerability thumbnails call `drawInput.load(...)`; the Draw view applies each
 * new request once (it is numbered) and keeps drawing on top of it. Nothing else lives here.
 */
import type { SteerAddition } from '../../../../native/service/workbench-types.js';

export interface DrawInputRequest {
  /** 784 values in [0, 1]. */
  pixels: number[];
  /** Where it came from, e.g. "test #123 (label 7)". */
  label: string;
  /**
   * The addition the image was analysed with (vector, layer, coefficient and intervention), which
   * the Draw view's controls take over; absent when the image comes without one (the Data view).
   */
  addition?: SteerAddition;
  /** Increases with every request, so loading the same image twice still counts. */
  seq: number;
}

class DrawInput {
  request = $state<DrawInputRequest | null>(null);
  private seq = 0;

  load(pixels: number[], label: string, addition?: SteerAddition): void {
    this.request = { pixels: [...pixels], label, addition, seq: ++this.seq };
  }
}

export const drawInput = new DrawInput();
