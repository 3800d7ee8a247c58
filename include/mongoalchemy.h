/*
 * libmongoalchemy: MongoDB documents from C, as MongoAlchemy maps them.
 *
 * The whole public face of the document mapper: configuration, the
 * database object, types, documents, queries, updates and pages. No HTTP:
 * the web side is libmongoalchemy-fcgi (<mongoalchemy-fcgi.h>).
 */
#ifndef MONGOALCHEMY_H
#define MONGOALCHEMY_H

#include <mongoalchemy/error.h>
#include <mongoalchemy/config.h>
#include <mongoalchemy/db.h>
#include <mongoalchemy/schema.h>
#include <mongoalchemy/json.h>
#include <mongoalchemy/document.h>
#include <mongoalchemy/value.h>
#include <mongoalchemy/filter.h>
#include <mongoalchemy/query.h>
#include <mongoalchemy/update.h>
#include <mongoalchemy/page.h>
#include <mongoalchemy/embed.h>

#endif
