/**
 * The one piece of state the Data view shares with the Draw view: "show this image as the
 * input". The Data view calls `drawInput.load(...)`; the Draw view applies each new request once
 * (it is numbered) and keeps drawing on top of it. Nothing else lives here.
 */
export interface DrawInputRequest {
  /** 784 values in [0, 1]. */
  pixels: number[];
  /** Where it came from, e.g. "test #123 (label 7)". */
  label: string;
  /** Increases with every request, so loading the same image twice still counts. */
  seq: number;
}

class DrawInput {
  request = $state<DrawInputRequest | null>(null);
  private seq = 0;

  load(pixels: number[], label: string): void {
    this.request = { pixels: [...pixels], label, seq: ++this.seq };
  }
}

export const drawInput = new DrawInput();
