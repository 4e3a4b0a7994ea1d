"""Token ids from Hugging Face's own (Rust) `tokenizers` for a tokenizer.json, for
tools/models/verify-bundled.ts: it checks that the converted tokenizer.json, including its
Precompiled charsmap, means to the reference implementation what it means to transformers.js.

Reads {"tokenizer": path, "texts": [str, ...]} on stdin; writes [[id, ...], ...] on stdout.
"""
import json
import sys

from tokenizers import Tokenizer


def main():
    request = json.load(sys.stdin)
    tokenizer = Tokenizer.from_file(request["tokenizer"])
    json.dump([tokenizer.encode(text).ids for text in request["texts"]], sys.stdout)


if __name__ == "__main__":
    main()
