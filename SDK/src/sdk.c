/* The SDK is a header; this unit only lets SwiftPM expose it as a module to the worker and the C plugins. */
#include "wfhost/plugin.h"

typedef int wfh_sdk_translation_unit_is_not_empty;
