# %% [markdown]
# # 6. Regularización: L1, L2, dropout y BatchNorm
#
# Una red con muchos parámetros y pocos datos acaba **memorizando** el conjunto de
# entrenamiento: su error allí baja casi a cero mientras en validación se estanca o sube
# (sobreajuste). Las técnicas de regularización limitan esa memoria.
#
# * **L1**: $\mathcal{L} + \lambda \sum |w|$; su gradiente $\lambda\,\mathrm{signo}(w)$ empuja
#   los pesos a exactamente cero.
# * **L2** (*weight decay*): $\mathcal{L} + \lambda \sum w^2$; gradiente $2\lambda w$, los encoge.
# * **Dropout**: en cada paso de entrenamiento apaga al azar una fracción $p$ de las neuronas.
# * **BatchNorm**: normaliza cada característica con la media y la desviación del lote.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Tensor, nn, optim
import tinygrad_es.nn.functional as F
from tinygrad_es.data import load_mnist_sample
from tinygrad_es.utils.data import DataLoader, TensorDataset

# %% [markdown]
# ## El gradiente de las penalizaciones
#
# Lo calcula `backward()` como cualquier otra parte de la pérdida:

# %%
w = Tensor([-1.5, -0.2, 0.0, 0.3, 2.0], requires_grad=True, dtype="float64")
F.l1_penalty([w], 0.1).backward()
print("L1, λ·signo(w):", w.grad)
w.grad = None
F.l2_penalty([w], 0.1).backward()
print("L2, 2λ·w:      ", w.grad)

# %% [markdown]
# ## Dropout
#
# En entrenamiento (`model.train()`) cada valor se anula con probabilidad $p$ y los que quedan
# se multiplican por $1/(1-p)$ para que la media no cambie; en evaluación (`model.eval()`) no
# hace nada.

# %%
torch.manual_seed(0)
dropout = nn.Dropout(p=0.5)
unos = Tensor(np.ones((2, 10)))
print("entrenamiento:\n", dropout(unos).numpy())
dropout.eval()
print("evaluación:\n", dropout(unos).numpy())

# %% [markdown]
# ## BatchNorm
#
# En entrenamiento usa la media y la varianza **del lote** (y va guardando una media móvil);
# en evaluación usa esas medias móviles, así que la salida de un ejemplo no depende de los
# demás del lote.

# %%
rng = np.random.default_rng(0)
bn = nn.BatchNorm1d(3)
lotes = [Tensor(rng.normal(loc=[5, -2, 10], scale=[3, 0.5, 1], size=(64, 3))) for _ in range(60)]
salida = bn(lotes[0]).detach().numpy()      # la salida depende de γ y β: tiene grafo
print("media por columna tras BN:", np.round(salida.mean(0), 3), " desviación:", np.round(salida.std(0), 3))
print("media móvil tras 1 lote:  ", np.round(bn.running_mean, 3), "(momento 0.1: se acerca poco a poco)")
for lote in lotes[1:]:
    bn(lote)
print("media móvil tras 60 lotes:", np.round(bn.running_mean, 3))
bn.eval()
fila = Tensor([[5.0, -2.0, 10.0]])
print("en evaluación, un ejemplo justo en la media da ≈ 0:", np.round(bn(fila).detach().numpy(), 3))

# %% [markdown]
# ## Un experimento de sobreajuste
#
# 300 imágenes de entrenamiento, una red 784-128-10 y 15 épocas: sin regularizar, la pérdida de
# entrenamiento cae casi a cero mientras la de validación se queda estancada más arriba.
# Comparamos con L2 (`weight_decay` en el optimizador), con dropout y con L1 sumada a la pérdida.

# %%
(x, y), _ = load_mnist_sample()
X = x.reshape(-1, 784).astype(np.float32) / 255.0
Xe, ye, Xv, yv = X[:300], y[:300], X[1500:], y[1500:]


def experimento(dropout=0.0, weight_decay=0.0, l1=0.0, epocas=15):
    torch.manual_seed(0)
    capas = [nn.Linear(784, 128), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(128, 10)]
    red = nn.Sequential(*capas)
    opt = optim.SGD(red.parameters(), lr=0.1, momentum=0.9, weight_decay=weight_decay)
    cargador = DataLoader(TensorDataset(Xe, ye), 50, shuffle=True, generator=torch.Generator().manual_seed(0))
    curvas = {"entrenamiento": [], "validación": [], "exactitud": []}
    for _ in range(epocas):
        red.train()
        for xb, yb in cargador:
            loss = F.cross_entropy(red(xb), yb)
            if l1:
                loss = loss + F.l1_penalty([m.weight for m in red if isinstance(m, nn.Linear)], l1)
            opt.zero_grad()
            loss.backward()
            opt.step()
        red.eval()
        with torch.no_grad():
            curvas["entrenamiento"].append(F.cross_entropy(red(Tensor(Xe)), ye).item())
            sv = red(Tensor(Xv))
            curvas["validación"].append(F.cross_entropy(sv, yv).item())
            curvas["exactitud"].append(100 * float((sv.numpy().argmax(1) == yv).mean()))
    pesos = np.concatenate([m.weight.detach().numpy().ravel() for m in red if isinstance(m, nn.Linear)])
    return curvas, pesos


variantes = {"sin regularizar": {}, "L2 (weight_decay=1e-2)": {"weight_decay": 1e-2},
             "dropout 0.5": {"dropout": 0.5}, "L1 (λ=3e-4)": {"l1": 3e-4}}
resultados = {k: experimento(**v) for k, v in variantes.items()}
for k, (c, _) in resultados.items():
    print(f"{k:<24} pérdida: entrenamiento {c['entrenamiento'][-1]:.3f}, validación {c['validación'][-1]:.3f};"
          f"  exactitud en validación {c['exactitud'][-1]:.1f} %")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
for i, (k, (c, pesos)) in enumerate(resultados.items()):
    ep = np.arange(1, len(c["validación"]) + 1)
    axes[0].plot(ep, c["entrenamiento"], "-", color=f"C{i}", label=f"{k}")
    axes[0].plot(ep, c["validación"], "--", color=f"C{i}")
    axes[1].hist(pesos, bins=np.linspace(-0.15, 0.15, 61), histtype="step", color=f"C{i}", label=k, lw=1.5)
axes[0].set_yscale("log"); axes[0].set_xlabel("época"); axes[0].set_ylabel("pérdida (entropía cruzada)")
axes[0].legend(fontsize=9); axes[0].set_title("Entrenamiento (—) frente a validación (--)")
axes[1].set_yscale("log"); axes[1].set_xlabel("valor del peso"); axes[1].legend(fontsize=9)
axes[1].set_title("Distribución de los pesos al final");

# %% [markdown]
# Las tres técnicas mantienen la pérdida de entrenamiento más alta y bajan la de validación:
# la red memoriza menos. L2 y L1 estrechan la distribución de los pesos (L1 acumula muchos
# cerca de cero). Con tan pocos datos ninguna hace milagros: el remedio más eficaz contra el
# sobreajuste sigue siendo tener más datos.
#
# **Prueba:** sube λ de L1 a 1e-3 y cuenta cuántos pesos quedan por debajo de 1e-3 en valor
# absoluto.
