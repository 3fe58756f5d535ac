"""Writes torchvision's state_dict layouts (name and shape per line, num_batches_tracked left out
as the generated ParameterLayout leaves it out) for the zoo tests. Regenerate with:

    /usr/bin/python3 Cnn.Dsl.Tests/Zoo/Torchvision/state_dicts.py

(PyTorch 1.13 / torchvision 0.14 from Debian: python3-torch python3-torchvision.)
"""
import os

import torchvision.models as models

NETWORKS = {
    "alexnet": lambda: models.alexnet(),
    "vgg16": lambda: models.vgg16(),
    "resnet18": lambda: models.resnet18(),
    "resnet50": lambda: models.resnet50(),
    "googlenet": lambda: models.googlenet(aux_logits=False, init_weights=False),
}

here = os.path.dirname(os.path.abspath(__file__))
for name, build in NETWORKS.items():
    with open(os.path.join(here, name + ".txt"), "w", newline="\n") as out:
        for key, tensor in build().state_dict().items():
            if not key.endswith("num_batches_tracked"):
                out.write(key + " " + ",".join(str(d) for d in tensor.shape) + "\n")
