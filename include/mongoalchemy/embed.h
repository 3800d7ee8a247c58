/*
 * Reference embedding: the documents that the ref fields of a page (or of
 * any documents) point to, put in place of their ids, as Eve's
 * `embedded` does, with one read per field whatever the number of
 * documents.
 */
#ifndef MONGOALCHEMY_EMBED_H
#define MONGOALCHEMY_EMBED_H

#include <stdbool.h>
#include <stddef.h>

#include <mongoalchemy/db.h>
#include <mongoalchemy/document.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The key a document gets when a reference it holds was not replaced:
 * an object of field name -> MA_EMBED_MISSING (the id names no stored
 * document) or MA_EMBED_FORBIDDEN (the visible function refused it):
 *   {"_id": "...", "book": "5f00...", "_unresolved": {"book": "missing"}}
 */
#define MA_EMBED_KEY "_unresolved"
#define MA_EMBED_MISSING "missing"
#define MA_EMBED_FORBIDDEN "forbidden"

/*
 * Whether a referenced document may be shown in place of its id (an
 * access rule); ref lives until the call returns.
 */
typedef bool (*ma_embed_visible_fn)(const ma_doc *ref, void *arg);

/*
 * Replaces the reference `field` (a top-level MA_KIND_REF field of their
 * type) of each of the n documents (all of one type) with the document
 * it names, read from the referenced type's collection in db with one
 * find ({_id: {$in: [the distinct ids]}}) whatever n is, none when no
 * document holds an id. The embedded document is whole, in its own
 * type's JSON form; its own references stay ids (depth 1). A reference
 * to no stored document, or one that visible (NULL: every one) refuses,
 * keeps its id and is named under MA_EMBED_KEY. Null and absent
 * references are left as they are.
 *
 * The documents change: their JSON, and so their ETag (ma_doc_etag()),
 * is that of the embedded form, which no type check passes (read them,
 * do not save them). On a database error (MA_ERR_UNAVAILABLE, ...) no
 * document is changed; MA_ERR_INVALID when field is not a ref of their
 * type.
 */
bool ma_docs_embed(ma_db *db, ma_doc *const *docs, size_t n, const char *field,
		   ma_embed_visible_fn visible, void *arg, ma_error *error);

/* ma_docs_embed() on the items of page, read from the page's database. */
bool ma_page_embed(ma_page *page, const char *field,
		   ma_embed_visible_fn visible, void *arg, ma_error *error);

#ifdef __cplusplus
}
#endif

#endif
