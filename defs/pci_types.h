/* The C types of pci.defs and pci_enum.defs, for the stubs MIG generates from them.  */
#pragma once

#include <mach/port.h>
#include <stdint.h>

typedef mach_port_t pci_t;
typedef char pci_config_data_t[4];
typedef char pci_regions_data_t[144]; /* 6 x struct pci_bar, see pci/hurd_layout.h */
typedef char pci_rom_data_t[16]; /* struct pci_xrom_bar */
typedef uint32_t pci_enum_entry_t[4]; /* see pci/enum_layout.h */
typedef pci_enum_entry_t pci_enum_entries_t[64];
