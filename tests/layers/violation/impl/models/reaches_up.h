// A fixture for the layers_violation_fails test: a model header that includes a method (a layer
// above models/) and a capi/src header. cmake/check_layers.cmake must name both.
#pragma once
#include "core/config.h"
#include "methods/method.h"
#include "handles.h"
