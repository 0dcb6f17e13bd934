/**
 * Incremental detokenizer for streaming: turns one token id at a time into the new text it adds.
 * Byte-level BPE tokens can end inside a UTF-8 character, so text is only released once it no
 * longer ends in U+FFFD; decoding a short window (prefix/read offsets, as in text-generation-
 * inference) keeps each step O(window) and lets the tokenizer apply its own joining rules.
 */
export class StreamDecoder {
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;

  constructor(private readonly decode: (ids: number[]) => string) {}

  /** Adds a token; returns the text it completes (often "", sometimes several characters). */
  push(id: number): string {
    this.ids.push(id);
    const prefix = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const full = this.decode(this.ids.slice(this.prefixOffset));
    if (full.length > prefix.length && !full.endsWith("\uFFFD")) {
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      return full.slice(prefix.length);
    }
    return "";
  }

  /** Every token so far, decoded at once (the authoritative text). */
  text(): string {
    return this.decode(this.ids);
  }

  get tokenIds(): readonly number[] {
    return this.ids;
  }
}
