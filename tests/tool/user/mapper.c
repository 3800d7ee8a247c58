/*
 * A user's program of the document mapper alone, as the install tests
 * build it against an installed tree: prints the database and the URI
 * that the MONGOALCHEMY_* variables give.
 */
#include <stdio.h>
#include <mongoalchemy.h>

int
main(void)
{
	ma_error err;
	ma_db *db = ma_db_new(NULL, &err);

	if (db == NULL) {
		printf("error: %s\n", err.message);
		return 1;
	}
	printf("%s %s\n", ma_config_database(ma_db_config(db)),
	       ma_config_uri(ma_db_config(db)));
	ma_db_destroy(db);
	ma_cleanup();
	return 0;
}
