/* test_contract_nginx: requests carry the CGI variables nginx passes. */
#include "inproc.h"

const inproc_front inproc_cgi = INPROC_NGINX;
