# %% [markdown]
# # 15. Derivadas de orden superior: la derivada de la derivada
#
# `backward()` calcula la derivada de la pérdida respecto de cada parámetro. Pero el gradiente
# también es una función de los parámetros, y se puede derivar otra vez: la **segunda derivada**
# dice cómo cambia la pendiente, es decir, la **curvatura**. Con ella se explican cosas que
# el descenso del gradiente solo no explica: por qué el método de Newton llega al mínimo de una
# parábola en un paso, por qué la tasa de aprendizaje tiene un techo y cómo penalizar el
# gradiente dentro de la propia pérdida.
#
# La clave es una opción: `backward(create_graph=True)` (o `autograd.grad(..., create_graph=True)`)
# registra también las operaciones del backward, así que el gradiente tiene su propio grafo.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch
from tinygrad_es import Value, nn
import tinygrad_es.nn.functional as F
from tinygrad_es.autograd.functional import hessian
from tinygrad_es.func import functional_call, grad
from tinygrad_es.viz import draw_graph, explain_backward

# f(x) = x³ − 2x con el motor escalar:  f'(x) = 3x² − 2,  f''(x) = 6x
x = Value(1.5, "x")
f = x ** 3 - 2 * x
f.label = "f"
f.backward(create_graph=True)        # cada .grad es ahora un Value con su grafo
d1 = x.grad
d1.label = "f'"
print(f"f(1.5) = {f.data:g};  f'(1.5) = {d1.data:g}  (3·1.5² − 2 = {3 * 1.5 ** 2 - 2:g})")
draw_graph(d1)

# %% [markdown]
# Ese es el **grafo de la derivada**: al aplicar la regla de la cadena, el motor ha ido
# registrando cada producto "derivada local × gradiente que llega". La derivada local de $x^3$,
# $3\cdot x^{3-1}$, aparece como nodos (el exponente 3 es otra hoja del grafo), y la de $2x$ es el 2.
#
# Como es un grafo normal, `backward()` lo recorre igual que cualquier otro y el resultado es
# $f''$ (primero ponemos `x.grad` a cero, para que no se sume al $f'$ que ya tenía):

# %%
x.grad = 0.0
d1.backward()
print(f"f''(1.5) = {x.grad:g}   (6·1.5 = {6 * 1.5:g})")

# %% [markdown]
# Con tensores es igual: `autograd.grad(..., create_graph=True)` devuelve un gradiente con su
# grafo. En el dibujo, los números que no dependen de `x` (el 2 de $2x$, el gradiente inicial 1)
# son constantes, y `explain_backward` cuenta la **segunda pasada**: la retropropagación a través
# del grafo de $f'$, que termina en $f''(1{,}5) = 9$.

# %%
x = torch.tensor(1.5, requires_grad=True)
x.name = "x"
y = x ** 3 - 2 * x
(d1,) = torch.autograd.grad(y, x, create_graph=True)
d1.name = "df"
draw_graph(d1)

# %%
explicacion = explain_backward(d1)
print(explicacion)

# %% [markdown]
# Y se puede repetir cuantas veces haga falta. `torch.func.grad` escribe lo mismo como una
# composición de funciones: `grad(grad(f))` es $f''$.

# %%
x = torch.tensor(1.5, requires_grad=True)
y = x ** 3 - 2 * x
(d1,) = torch.autograd.grad(y, x, create_graph=True)
(d2,) = torch.autograd.grad(d1, x, create_graph=True)
(d3,) = torch.autograd.grad(d2, x)
print(f"f' = {d1.item():g},  f'' = {d2.item():g},  f''' = {d3.item():g}")

f = lambda t: t ** 3 - 2 * t     # noqa: E731
print("con torch.func:", grad(f)(torch.tensor(1.5)).item(), grad(grad(f))(torch.tensor(1.5)).item(),
      grad(grad(grad(f)))(torch.tensor(1.5)).item())

# %% [markdown]
# ## Newton frente al descenso del gradiente
#
# La función de error de los apuntes es $f(x, y) = \tfrac12\big((x-1)^2 + y^2\big)$, que allí se
# minimiza con 250 pasos de descenso del gradiente con tasa $0{,}01$.
#
# El **método de Newton** usa también la segunda derivada: aproxima $f$ por su parábola de Taylor
# $f(p + d) \approx f(p) + \nabla f^\top d + \tfrac12 d^\top H d$ y salta a su mínimo,
# $d = -H^{-1}\nabla f$, donde $H$ es la **hessiana** (la matriz de segundas derivadas). Si $f$ es
# una parábola, la aproximación es exacta: **un solo paso**.
#
# Lo probamos también con un cuenco alargado, $\tfrac12\big((x-1)^2 + 10y^2\big)$: las curvaturas
# de los dos ejes son distintas (1 y 10).

# %%
def f_apuntes(p):
    return 0.5 * ((p[0] - 1) ** 2 + p[1] ** 2)


def f_alargada(p):
    return 0.5 * ((p[0] - 1) ** 2 + 10 * p[1] ** 2)


def descenso(f, inicio, tasa, pasos):
    p = torch.tensor(inicio, requires_grad=True)
    camino = [p.detach().numpy().copy()]
    for _ in range(pasos):
        (g,) = torch.autograd.grad(f(p), p)
        with torch.no_grad():
            p -= tasa * g
        camino.append(p.detach().numpy().copy())
    return np.array(camino)


def newton(f, inicio, pasos):
    p = torch.tensor(inicio)
    camino = [p.numpy().copy()]
    for _ in range(pasos):
        H = hessian(f, p)                       # segundas derivadas
        p = p - torch.linalg.solve(H, grad(f)(p))
        camino.append(p.numpy().copy())
    return np.array(camino)


inicio = [-7.0, 6.0]
print("hessiana de los apuntes:\n", hessian(f_apuntes, torch.tensor(inicio)).numpy())
print("hessiana del cuenco alargado:\n", hessian(f_alargada, torch.tensor(inicio)).numpy())
caminos = {
    "apuntes": (descenso(f_apuntes, inicio, 0.01, 250), newton(f_apuntes, inicio, 1)),
    "alargada": (descenso(f_alargada, inicio, 0.19, 60), newton(f_alargada, inicio, 1)),
}
for nombre, (gd, nw) in caminos.items():
    print(f"{nombre}: descenso acaba en {np.round(gd[-1], 3)} tras {len(gd) - 1} pasos; "
          f"Newton en {np.round(nw[-1], 6)} tras 1 paso")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
rejilla = np.linspace(-8, 8, 200)
X, Y = np.meshgrid(rejilla, rejilla)
for ax, (nombre, (gd, nw)), fz in zip(axes, caminos.items(),
                                      (lambda a, b: 0.5 * ((a - 1) ** 2 + b ** 2),
                                       lambda a, b: 0.5 * ((a - 1) ** 2 + 10 * b ** 2))):
    ax.contourf(X, Y, fz(X, Y), levels=15, cmap="Greys")
    ax.plot(gd[:, 0], gd[:, 1], ".-", color="tab:blue", ms=3, label=f"descenso ({len(gd) - 1} pasos)")
    ax.plot(nw[:, 0], nw[:, 1], "o-", color="tab:red", label="Newton (1 paso)")
    ax.scatter([1], [0], marker="*", s=200, color="gold", zorder=3, label="mínimo")
    ax.set_title(f"f {nombre}")
    ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# En el cuenco alargado el descenso zigzaguea: la tasa que conviene en el eje $y$ (curvatura 10)
# es demasiado pequeña para el eje $x$ (curvatura 1). Y no se puede subir: con tasa $\eta$, la
# componente del error en una dirección de curvatura $\lambda$ se multiplica en cada paso por
# $1 - \eta\lambda$; si $\eta > 2/\lambda$, ese factor pasa de $-1$ y el error **crece**. Aquí
# el techo es $2/10 = 0{,}2$ (hemos usado 0,19).
#
# Newton no tiene ese problema porque divide por la curvatura de cada dirección, pero en una red
# con millones de parámetros la hessiana no cabe en memoria: por eso se entrena con el gradiente
# (y con ideas como Adam, que estima una curvatura por parámetro).

# %% [markdown]
# ## La hessiana de una red: curvatura y el techo de la tasa de aprendizaje
#
# Una red pequeña, 1-8-1 con tangente hiperbólica (25 parámetros), ajusta $\sin(x)$ en
# $[-3, 3]$. Con `functional_call` escribimos la pérdida como función de un vector con todos los
# pesos, y `hessian` da la matriz $25\times 25$ de sus segundas derivadas en el mínimo. Sus
# **valores propios** son las curvaturas en las direcciones principales.

# %%
torch.manual_seed(0)
xs = torch.linspace(-3, 3, 40).reshape(-1, 1)
ys = xs.sin()
red = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
optimizer = torch.optim.Adam(red.parameters(), lr=0.02)
for _ in range(800):
    loss = F.mse_loss(red(xs), ys)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"pérdida tras entrenar: {loss.item():.2e}")

nombres = [k for k, _ in red.named_parameters()]
formas = [p.shape for p in red.parameters()]
tamanos = [p.numel() for p in red.parameters()]


def perdida(theta):
    """La pérdida como función de un vector con todos los pesos."""
    pesos = {k: t.reshape(s) for k, t, s in zip(nombres, theta.split(tamanos), formas)}
    return F.mse_loss(functional_call(red, pesos, (xs,)), ys)


theta = torch.cat([p.detach().reshape(-1) for p in red.parameters()])
H = hessian(perdida, theta)
curvaturas = np.linalg.eigvalsh(H.numpy().astype(np.float64))
techo = 2 / curvaturas[-1]
print(f"hessiana {tuple(H.shape)}; curvatura máxima λ = {curvaturas[-1]:.3f}, mínima {curvaturas[0]:.1e}")
print(f"techo de la tasa de aprendizaje: 2/λ = {techo:.3f}")

# %% [markdown]
# Casi todas las curvaturas son ~0 (direcciones en las que la pérdida apenas cambia) y unas pocas
# son grandes. La más grande fija el techo: desde el mínimo, descenso del gradiente con una tasa
# un 10 % por debajo de $2/\lambda_{\max}$ se queda en el mínimo; un 50 % por encima, el error a
# lo largo de esa dirección se multiplica por $|1 - \eta\lambda| = 2$ en cada paso y explota.

# %%
historias = {}
for factor in (0.9, 1.5):
    t = theta.clone()
    perdidas = []
    for _ in range(60):
        t = t.detach().requires_grad_(True)
        valor = perdida(t)
        (g,) = torch.autograd.grad(valor, t)
        t = t - factor * techo * g
        perdidas.append(valor.item())
    historias[factor] = perdidas
    print(f"tasa = {factor} × techo: pérdida {perdidas[0]:.2e} → {perdidas[-1]:.2e}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
axes[0].stem(np.arange(len(curvaturas)), curvaturas)
axes[0].set_title("valores propios de la hessiana (curvaturas)")
axes[0].set_xlabel("índice")
for factor, perdidas in historias.items():
    axes[1].semilogy(perdidas, label=f"tasa = {factor} × 2/λ_max")
axes[1].set_title("descenso del gradiente desde el mínimo")
axes[1].set_xlabel("paso")
axes[1].legend()
plt.show()

# %% [markdown]
# ## Penalizar el gradiente
#
# A veces la pérdida contiene un gradiente: para que una red sea **suave** (que su salida no
# cambie bruscamente con la entrada) se le suma $\lambda\,\mathbb{E}\big[(\partial f/\partial x)^2\big]$,
# medido en puntos al azar del intervalo. Es la idea del *gradient penalty* de las WGAN-GP y de
# la regularización por el gradiente de la entrada.
#
# Entrenar con esa pérdida exige derivar un gradiente respecto de los pesos: el gradiente
# respecto de la entrada se calcula con `create_graph=True` y después `loss.backward()` atraviesa
# también su grafo. Dos redes iguales sobre 16 puntos ruidosos de $y = x/2$, sin y con
# penalización:

# %%
rng = np.random.default_rng(0)
px = np.sort(rng.uniform(-2, 2, 16)).reshape(-1, 1)
puntos_x = torch.tensor(px, dtype=torch.float32)
puntos_y = torch.tensor(0.5 * px + rng.normal(0, 0.3, px.shape), dtype=torch.float32)
rejilla = torch.linspace(-2, 2, 200).reshape(-1, 1)


def entrenar(lam, pasos=600):
    torch.manual_seed(0)
    red = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = torch.optim.Adam(red.parameters(), lr=0.01)
    for _ in range(pasos):
        loss = F.mse_loss(red(puntos_x), puntos_y)
        if lam:
            azar = (torch.rand(32, 1) * 4 - 2).requires_grad_(True)
            (pendiente,) = torch.autograd.grad(red(azar).sum(), azar, create_graph=True)
            loss = loss + lam * (pendiente ** 2).mean()     # el gradiente, dentro de la pérdida
        optimizer.zero_grad()
        loss.backward()                                     # ...y derivado respecto de los pesos
        optimizer.step()
    r = rejilla.clone().requires_grad_(True)
    salida = red(r)
    (pendiente,) = torch.autograd.grad(salida.sum(), r)
    return salida.detach().numpy()[:, 0], pendiente.numpy()[:, 0]


ajustes = {lam: entrenar(lam) for lam in (0.0, 0.3)}
for lam, (_, pend) in ajustes.items():
    print(f"λ = {lam}: pendiente máxima |∂f/∂x| = {np.abs(pend).max():.2f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
axes[0].scatter(px[:, 0], puntos_y.numpy()[:, 0], color="black", s=15, label="datos")
for lam, (sal, pend) in ajustes.items():
    axes[0].plot(rejilla.numpy()[:, 0], sal, label=f"λ = {lam}")
    axes[1].plot(rejilla.numpy()[:, 0], pend, label=f"λ = {lam}")
axes[0].set_title("la red")
axes[1].set_title("su derivada ∂f/∂x")
for ax in axes:
    ax.legend()
plt.show()

# %% [markdown]
# Con la penalización la red sigue la tendencia de los datos sin perseguir el ruido, y su
# derivada queda acotada. Lo que hace falta para entrenarla es exactamente lo de este cuaderno:
# un gradiente que, a su vez, tiene gradiente.
