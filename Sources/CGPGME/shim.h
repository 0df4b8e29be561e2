#include <locale.h>
#include <gpgme.h>

/* gpgme_check_version is a macro (it passes a struct offset): wrap it for Swift. */
static inline const char *cgpgme_init(void) { return gpgme_check_version(NULL); }
