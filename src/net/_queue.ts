// A FIFO with O(1) push and shift (Array.prototype.shift moves every
// element): the commands waiting for their replies, in send order.

/** First in, first out. */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** Elements queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** The oldest element, or undefined. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Adds at the end. */
  push(x: T): void {
    this.#items.push(x);
  }

  /** Removes and returns the oldest element, or undefined. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const x = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}
