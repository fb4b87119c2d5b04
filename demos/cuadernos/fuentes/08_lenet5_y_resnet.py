# %% [markdown]
# # 8. LeNet-5 y ResNet
#
# Dos arquitecturas que marcaron época:
#
# * **LeNet-5** (LeCun, 1998): convolución 6@5×5 → pooling → convolución 16@5×5 → pooling →
#   120 → 84 → 10, con tanh y pooling medio. Fue pensada para imágenes de 32×32; con las de
#   28×28 de MNIST se rellena la primera convolución con 2 píxeles.
# * **ResNet** (He et al., 2015): bloques residuales $y = \mathrm{ReLU}(F(x) + x)$. El atajo
#   $+\,x$ deja pasar el gradiente sin atenuar, y por eso se pueden entrenar redes muy profundas.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.data import load_mnist_sample, mnist_tensors
from tinygrad_es.utils.data import DataLoader, TensorDataset, random_split
from tinygrad_es.models import BasicBlock, LeNet5, ResNet
from tinygrad_es.train import fit, predict
from tinygrad_es.viz import plots

# %% [markdown]
# ## LeNet-5 capa a capa
#
# Un gancho (`register_forward_hook`) en cada capa anota la forma de su salida.

# %%
torch.manual_seed(0)
lenet = LeNet5()
formas = []
ganchos = [m.register_forward_hook(lambda mod, ent, sal: formas.append((type(mod).__name__, tuple(sal.shape))))
           for m in list(lenet.features) + list(lenet.classifier)]
lenet(Tensor(np.zeros((1, 1, 28, 28), np.float32)))
for g in ganchos:
    g.remove()
for nombre, forma in formas:
    print(f"{nombre:>10} → {forma}")
print(f"\n{lenet.num_parameters()} parámetros")

# %% [markdown]
# ## Entrenar LeNet-5
#
# Dos épocas con el 80 % de la muestra de MNIST y validación con el 20 % restante.

# %%
(x, y), (xt, yt) = load_mnist_sample()
X, y = mnist_tensors(x, y)
Xt, yt = mnist_tensors(xt, yt)
g = torch.Generator().manual_seed(0)
entrenamiento, validacion = random_split(TensorDataset(X, y), [0.8, 0.2], generator=g)
historia = fit(lenet, F.cross_entropy, optim.Adam(lenet.parameters(), lr=2e-3),
               DataLoader(entrenamiento, 64, shuffle=True, generator=g), DataLoader(validacion, 256),
               epochs=2, progress=False)
print(f"exactitud en test: {100 * (predict(lenet, Xt).argmax(1) == yt).mean():.1f} %")
plots.learning_curves(historia, title="LeNet-5 en la muestra de MNIST");

# %% [markdown]
# ## El bloque residual
#
# conv 3×3 → BatchNorm → ReLU → conv 3×3 → BatchNorm, más el atajo, y ReLU. Si cambian los
# canales o el tamaño, el atajo es una convolución 1×1 para que las formas casen.

# %%
bloque = BasicBlock(16, 32, stride=2)
print(bloque)
print("entrada (1, 16, 14, 14) → salida", bloque(Tensor(np.zeros((1, 16, 14, 14), np.float32))).shape)

# %% [markdown]
# ## Por qué funciona el atajo
#
# Apilamos 20 capas iguales (lineal + tanh) con y sin atajo y medimos cuánto gradiente llega a
# la primera. Sin atajo, la derivada de cada capa es un producto $W^\top \cdot \tanh'$ que,
# repetido 20 veces, se desvanece; con atajo, la derivada de $x + F(x)$ es $1 + F'(x)$ y el
# «1» llega intacto.

# %%
class Pila(nn.Module):
    def __init__(self, profundidad=20, ancho=32, residual=False):
        super().__init__()
        self.capas = nn.Sequential(*[nn.Linear(ancho, ancho) for _ in range(profundidad)])
        self.residual = residual

    def forward(self, x):
        for capa in self.capas:
            x = x + capa(x).tanh() if self.residual else capa(x).tanh()
        return x


normas = {}
for residual in (False, True):
    torch.manual_seed(0)
    pila = Pila(residual=residual)
    pila(Tensor(np.random.default_rng(0).normal(size=(16, 32)))).pow(2).mean().backward()
    normas["con atajo" if residual else "sin atajo"] = [float(np.linalg.norm(c.weight.grad)) for c in pila.capas]
fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
for nombre, n in normas.items():
    ax.plot(range(1, 21), n, "o-", label=nombre)
ax.set_yscale("log"); ax.set_xticks(range(1, 21)); ax.set_xlabel("capa (1 = la primera)")
ax.set_ylabel("‖∂L/∂W‖"); ax.legend()
ax.set_title("Gradiente que llega a cada capa de una pila de 20");

# %% [markdown]
# ## Una ResNet pequeña
#
# Tallo conv 3×3, tres etapas de un bloque (16, 32 y 64 canales; cada etapa reduce el tamaño a
# la mitad), *pooling* medio global y una capa lineal.

# %%
torch.manual_seed(0)
resnet = ResNet()
print(f"{resnet.num_parameters()} parámetros")
resnet.eval()
with torch.no_grad():
    print("salida para un lote de 4 imágenes:", resnet(Tensor(X[:4])).shape)

# %% [markdown]
# **Prueba:** entrena la ResNet una época con `fit` como a LeNet-5 (tarda más: cada bloque tiene
# dos convoluciones y BatchNorm) y compara la exactitud.
