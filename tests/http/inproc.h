/*
 * The in-process transport's application (inproc.c): the example's, built
 * by library_app_new() from the MONGOALCHEMY_* environment, or one a test
 * builds for itself (inproc_use()).
 */
#ifndef INPROC_H
#define INPROC_H

#include <mongoalchemy-fcgi.h>

/* Whose CGI variables a request carries: the front ends differ in what
 * they pass for what a request lacks, and in extras. */
typedef enum inproc_front { INPROC_NGINX, INPROC_APACHE } inproc_front;

/* Each program defines it: test_contract_nginx (cgi_nginx.c) and
 * test_contract_apache (cgi_apache.c) run the same tests. */
extern const inproc_front inproc_cgi;

/* Builds this test process's application; the test fails when a setup
 * call of it failed. The first http() or http_ready() calls it. */
void inproc_start(void);
/* Serves a, an application of the test's own, in place of the example's
 * (takes it; inproc_stop() destroys it). */
void inproc_use(ma_app *a);
/* Destroys it, if there is one (a suite's .fini). */
void inproc_stop(void);
/* Runs the application's start hook once, as ma_app_run() runs it in the
 * master before any worker: the example seeds its empty collections.
 * False with error filled when the application cannot be built or the
 * hook fails. */
bool inproc_seed(ma_error *error);

#endif
