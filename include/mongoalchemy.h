/*
 * mongoalchemy: MongoDB documents served from C behind FastCGI.
 *
 * The whole public face of the library. Include this one header.
 */
#ifndef MONGOALCHEMY_H
#define MONGOALCHEMY_H

#include <mongoalchemy/error.h>
#include <mongoalchemy/config.h>
#include <mongoalchemy/db.h>
#include <mongoalchemy/schema.h>
#include <mongoalchemy/document.h>
#include <mongoalchemy/query.h>
#include <mongoalchemy/app.h>

#endif
