/* test_contract_apache: requests carry the CGI variables Apache's
 * mod_proxy_fcgi passes. */
#include "inproc.h"

const inproc_front inproc_cgi = INPROC_APACHE;
