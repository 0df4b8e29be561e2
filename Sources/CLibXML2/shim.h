#ifndef DROPGATE_CLIBXML2_SHIM_H
#define DROPGATE_CLIBXML2_SHIM_H
// Debian builds libxml2 with ICU, which clashes with Foundation's own ICU module.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

// xmlFree is a global function pointer that Swift 6 rejects as shared mutable state.
static inline void dropgate_xmlFree(void *p) { xmlFree(p); }
#endif
