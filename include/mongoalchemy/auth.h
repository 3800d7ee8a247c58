/*
 * Access control: who is calling (bearer JWTs checked against a JWK Set,
 * or a user the front end authenticated) and what each caller may do.
 *
 *   ma_jwt_options jwt = {.jwks_file = "/etc/library/jwks.json",
 *                         .issuer = "https://id.example.org/"};
 *   ma_app_auth_jwt(app, &jwt, &err);
 *
 *   static const char *const editors[] = {"editor", "admin", NULL};
 *   static const ma_access book_access = {
 *       .public_ops = MA_RES_LIST | MA_RES_GET,
 *       .rules = {{MA_RES_CREATE | MA_RES_REPLACE | MA_RES_UPDATE, editors}},
 *   };
 *   ma_resource_options o = {.access = &book_access};
 *   ma_app_resource(app, "/books", db, &book_type, &o, &err);
 *
 * A request without credentials where they are needed is a 401 with
 * WWW-Authenticate: Bearer realm="<app name>" (RFC 6750 section 3; "api"
 * for an app without a name run in-process), one
 * with a token that does not verify a 401 with error="invalid_token", a
 * caller without a role the operation needs a 403 with
 * error="insufficient_scope"; each as application/problem+json whose
 * detail says what was wrong, never quoting the token.
 */
#ifndef MONGOALCHEMY_AUTH_H
#define MONGOALCHEMY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mongoalchemy/app.h>
#include <mongoalchemy/error.h>
#include <mongoalchemy/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default leeway, in seconds, on exp, nbf and iat: clocks differ. */
#define MA_JWT_LEEWAY 30

typedef struct ma_jwt_options {
	const char *jwks_file;	 /* the JWK Set (RFC 7517); required */
	const char *issuer;	 /* iss must be this; NULL: not checked */
	const char *audience;	 /* aud must name this; NULL: not checked */
	const char *roles_claim; /* an array of strings; NULL: "roles" */
	int64_t leeway;		 /* seconds; 0: MA_JWT_LEEWAY; < 0: none */
} ma_jwt_options;

/*
 * Trusts bearer tokens (Authorization: Bearer <compact JWS>) signed by a
 * key of the JWK Set in opts->jwks_file. Every key needs a kid and an
 * alg (RS256, ES256, HS256 and their 384/512 siblings, PS*): a token is
 * checked with the key its kid names and that key's algorithm alone, so
 * alg "none" and a token signed for another algorithm never pass. exp
 * is required and sub is the caller's name. The set is read here (a
 * setup error, like any setup call's, when it cannot be) and again by
 * each worker when it starts, so a SIGHUP, which replaces the workers,
 * rotates keys; a worker that cannot read a changed file keeps the keys
 * it had and says so in the log. A token in the query string is never
 * read.
 */
bool ma_app_auth_jwt(ma_app *app, const ma_jwt_options *opts, ma_error *error);

/*
 * Trusts the front end's REMOTE_USER (nginx auth_basic or auth_request,
 * Apache's authentication), with the caller's roles, comma-separated, in
 * the FastCGI parameter roles_param ("MA_ROLES"; NULL: none). Only for a
 * worker whose socket nothing but the front end reaches: whoever can
 * write to it can name any user. A request with REMOTE_USER is that user
 * even when it carries a token.
 */
bool ma_app_auth_frontend(ma_app *app, const char *roles_param,
			  ma_error *error);

/* A caller. Strings it returns live as long as it does. */
typedef struct ma_user ma_user;
const char *ma_user_name(const ma_user *user);
bool ma_user_has_role(const ma_user *user, const char *role);
void ma_user_destroy(ma_user *user);

/*
 * The caller of req, for a handler of its own: NULL, with the 401 or 403
 * answered in res, unless the request's credentials are good and the
 * caller has one of roles (a NULL-terminated list; NULL: any caller).
 * The caller is the handler's to destroy.
 */
ma_user *ma_app_authorize(ma_app *app, const ma_request *req, ma_response *res,
			  const char *const *roles) MA_WARN_UNUSED_RESULT;

/* Who may call a resource's operations (ma_resource_ops bits). */
typedef struct ma_access_rule {
	unsigned ops;		  /* 0 ends the list */
	const char *const *roles; /* NULL-terminated; one of them needed */
} ma_access_rule;

#define MA_ACCESS_MAX_RULES 6

/*
 * A resource's policy: public_ops anyone may call; an operation a rule
 * names needs one of its roles; any other operation needs a caller and
 * no role. A resource with a policy in an application with no
 * authenticator is a setup error: the program does not start.
 *
 * owner_field (a string field of the type, optional in it) keeps each
 * caller to their own documents, as Eve's auth_field: create sets it to
 * the caller's name (a body naming someone else is a 403); every list,
 * read, replace, update and delete is narrowed to the caller's
 * documents, so another's is a 404 and its existence is not revealed;
 * no write may change it (403). A caller with a role of all_owners
 * (NULL-terminated) sees and changes every document and may name an
 * owner. A policy with an owner field has no public operations.
 */
typedef struct ma_access {
	unsigned public_ops;
	ma_access_rule rules[MA_ACCESS_MAX_RULES];
	const char *owner_field;
	const char *const *all_owners;
} ma_access;

/* The caller that a resource's policy let in, for the handler it runs;
 * NULL for a public operation or a route without a policy. */
const ma_user *ma_request_user(const ma_request *req);

#ifdef __cplusplus
}
#endif

#endif
