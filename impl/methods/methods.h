// The descriptors of the built-in methods, one file each; method_registry.cpp lists them.
#pragma once
#include "methods/method_registry.h"

namespace s4seg {

MethodDescriptor supervised_method();
MethodDescriptor fixmatch_method();
MethodDescriptor pcr_method();
MethodDescriptor css_method();
MethodDescriptor rrn_method();
MethodDescriptor rc2l_method();

}  // namespace s4seg
