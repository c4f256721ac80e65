# Installs the C++ headers under <prefix>/<AG_INCLUDE_DEST>/autograd_cpp/.
# In the source tree a header includes another by its layer path
# ("core/tensor.h", found through the layer include roots); installed, the
# same include reads "autograd_cpp/core/tensor.h", so a user's compiler needs
# only <prefix>/include and a user header of the same layer path (their own
# core/tensor.h) is never picked up in the library's place.
# Run by `cmake --install` with AG_SOURCE_DIR, AG_VERSION_HEADER and
# AG_INCLUDE_DEST set.
set(_ag_dest "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${AG_INCLUDE_DEST}/autograd_cpp")
if(IS_ABSOLUTE "${AG_INCLUDE_DEST}")
  set(_ag_dest "$ENV{DESTDIR}${AG_INCLUDE_DEST}/autograd_cpp")
endif()
set(_ag_layers core decl kernels autograd ops)
file(GLOB_RECURSE _ag_headers RELATIVE "${AG_SOURCE_DIR}/csrc" "${AG_SOURCE_DIR}/csrc/*.h")
list(FILTER _ag_headers EXCLUDE REGEX "^python/")
foreach(_ag_rel IN LISTS _ag_headers)
  # The C++ API's own folder is the prefix itself: csrc/autograd_cpp/nn.h
  # installs as autograd_cpp/nn.h.
  string(REGEX REPLACE "^autograd_cpp/" "" _ag_out "${_ag_rel}")
  file(READ "${AG_SOURCE_DIR}/csrc/${_ag_rel}" _ag_text)
  string(REGEX REPLACE "#include \"(core|decl|kernels|autograd|ops)/" "#include \"autograd_cpp/\\1/"
         _ag_text "${_ag_text}")
  set(_ag_file "${_ag_dest}/${_ag_out}")
  message(STATUS "Installing: ${_ag_file}")
  # Written only when changed, so a reinstall leaves timestamps alone.
  set(_ag_old "")
  if(EXISTS "${_ag_file}")
    file(READ "${_ag_file}" _ag_old)
  endif()
  if(NOT _ag_old STREQUAL _ag_text)
    file(WRITE "${_ag_file}" "${_ag_text}")
  endif()
endforeach()
file(INSTALL "${AG_VERSION_HEADER}" DESTINATION "${_ag_dest}")
