/*
 * libmongoalchemy-fcgi: MongoDB documents served from C behind FastCGI,
 * as Flask-MongoAlchemy serves them from Flask.
 *
 * The whole public face of the web side, and of the document mapper it
 * is built on (<mongoalchemy.h>): applications, routes, requests,
 * responses, resources, access control and the worker runtime.
 */
#ifndef MONGOALCHEMY_FCGI_H
#define MONGOALCHEMY_FCGI_H

#include <mongoalchemy.h>
#include <mongoalchemy/http.h>
#include <mongoalchemy/request.h>
#include <mongoalchemy/response.h>
#include <mongoalchemy/app.h>
#include <mongoalchemy/auth.h>
#include <mongoalchemy/resource.h>
#include <mongoalchemy/openapi.h>

#endif
