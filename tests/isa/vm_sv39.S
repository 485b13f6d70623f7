/* vm_sv39.S - Sv39 paging (body in include/vm_common.inc) */
#define LEVELS 3
#include "vm_common.inc"
