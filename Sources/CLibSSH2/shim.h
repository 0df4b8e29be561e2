#ifndef DROPGATE_CLIBSSH2_SHIM_H
#define DROPGATE_CLIBSSH2_SHIM_H
// libssh2 (Debian 12: 1.10, OpenSSL backend). Swift does not import the C convenience
// macros, so Swift code calls the `_ex` functions directly.
#include <libssh2.h>
#include <libssh2_sftp.h>
#endif
