#pragma once

// Precompiled for every binding file: the pybind11 headers and the
// conversions all of them include.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "python/arg_parser.h"
#include "python/bind_utils.h"
#include "python/bindings.h"
#include "python/callable.h"
#include "python/convert.h"
