#pragma once
#define LIBU_VERSION_STRING "0.1.0"
