// Names of PCI classes, for listings people read: the most specific name the table has for a
// class code (programming interface, else subclass, else base class).
#pragma once

#include "pci/function.h"

namespace pci {

// Never null; "unknown class" for codes the table does not know.
const char* class_name(ClassCode);

} // namespace pci
