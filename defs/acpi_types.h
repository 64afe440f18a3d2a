/* The C types of acpi.defs, for the stubs MIG generates from it.  */
#pragma once

#include <mach/port.h>

typedef mach_port_t acpi_t;
