/* vm_sv48.S - Sv48 paging (body in include/vm_common.inc) */
#define LEVELS 4
#include "vm_common.inc"
