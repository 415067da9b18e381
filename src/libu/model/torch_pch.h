// Precompiled header for the torch-using modules (model and above).
#pragma once
#include <torch/torch.h>
