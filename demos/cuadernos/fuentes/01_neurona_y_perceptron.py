# %% [markdown]
# # 1. La neurona y el perceptrón
#
# Una neurona artificial hace dos cosas: **combina** sus entradas con unos pesos y un sesgo,
# $z = \sum_i w_i x_i + b$, y **decide** cuánto se activa aplicando una función de activación,
# $a = f(z)$. Aprender es ajustar $w$ y $b$.
#
# En este cuaderno:
# 1. una neurona con tensores de `tinygrad_es`;
# 2. las funciones de activación y sus derivadas (calculadas con `backward()`);
# 3. el perceptrón de Rosenblatt: aprende AND y OR, pero no XOR;
# 4. el descenso del gradiente en 1-D y 2-D, la idea que usaremos para entrenar todo lo demás.

# %%
import numpy as np
import matplotlib.pyplot as plt

import tinygrad_es as torch          # la misma interfaz que PyTorch
from tinygrad_es import Tensor
from tinygrad_es.viz import plots

torch.manual_seed(0)

# %% [markdown]
# ## Una neurona
#
# Tres entradas, tres pesos y un sesgo. `z` es un tensor de un solo elemento; `.item()` lo
# convierte en un número de Python.

# %%
x = Tensor([0.5, -1.0, 2.0])
w = Tensor([0.8, 0.2, -0.5])
b = 0.1
z = (w * x).sum() + b
print(f"z = w·x + b = {z.item():.3f}")
print(f"escalón: {int(z.item() > 0)}   sigmoide: {z.sigmoid().item():.3f}   "
      f"tanh: {z.tanh().item():.3f}   ReLU: {z.relu().item():.3f}")

# %% [markdown]
# ## Funciones de activación y sus derivadas
#
# No hace falta derivar a mano: marcamos la entrada con `requires_grad=True`, sumamos las
# salidas y `backward()` deja en `x.grad` la derivada de la activación en cada punto.
# Fíjate en el máximo de la derivada de la sigmoide (0.25): es la causa del *gradiente que se
# desvanece* en redes profundas, y por eso ReLU (derivada 1 para $z > 0$) funciona mejor.

# %%
zs = np.linspace(-5, 5, 401)
activaciones = {"sigmoide": lambda t: t.sigmoid(), "tanh": lambda t: t.tanh(), "ReLU": lambda t: t.relu()}
fig, axes = plt.subplots(1, 4, figsize=(15, 3.6), layout="constrained")
axes[0].plot(zs, (zs > 0).astype(float), label="f(z)")
axes[0].plot(zs, np.zeros_like(zs), "--", label="f'(z)")
axes[0].set_title("escalón")
for ax, (nombre, f) in zip(axes[1:], activaciones.items()):
    t = Tensor(zs, requires_grad=True)
    f(t).sum().backward()                      # d(Σ f(z_i))/dz_i = f'(z_i)
    ax.plot(zs, f(Tensor(zs)).numpy(), label="f(z)")
    ax.plot(zs, t.grad, "--", label="f'(z) (backward)")
    ax.set_title(f"{nombre}: máx f' = {t.grad.max():.2f}")
for ax in axes:
    ax.axhline(0, color="gray", lw=0.5); ax.set_xlabel("z"); ax.legend(fontsize=9)

# %% [markdown]
# ## El perceptrón
#
# El perceptrón usa el escalón como activación y una regla de aprendizaje sin derivadas:
# para cada ejemplo, $\text{error} = y - \hat{y}$ y
# $w \leftarrow w + \eta \cdot \text{error} \cdot x$, $b \leftarrow b + \eta \cdot \text{error}$.
# Sólo cambia los pesos cuando se equivoca.

# %%
from tinygrad_es.models import Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
tablas = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
modelos = {}
for nombre, y in tablas.items():
    p = Perceptron(2, lr=0.1, seed=0).fit(X, y, epochs=100)
    modelos[nombre] = p
    print(f"{nombre:>3}: predice {p.predict(X).tolist()} (esperado {y}); errores por época: {p.errors_[:8]}"
          + ("..." if len(p.errors_) > 8 else ""))

# %% [markdown]
# AND y OR llegan a 0 errores en pocas épocas; XOR nunca. La frontera del perceptrón es la
# recta $w_1 x_1 + w_2 x_2 + b = 0$, y en XOR no existe ninguna recta que deje (0,1) y (1,0) a un
# lado y (0,0) y (1,1) al otro: **no es linealmente separable**.

# %%
from tinygrad_es.demos.perceptron import decision_boundaries

decision_boundaries(X, tablas, modelos);

# %%
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for nombre, p in modelos.items():
    ax.plot(range(1, len(p.errors_) + 1), p.errors_, "o-", label=nombre, ms=4)
ax.set_xlabel("época"); ax.set_ylabel("ejemplos mal clasificados"); ax.legend()
ax.set_title("El perceptrón converge en AND y OR, y oscila para siempre en XOR");

# %% [markdown]
# ## Descenso del gradiente
#
# Para redes con varias capas y activaciones derivables se usa otra regla: moverse en contra
# de la derivada del error, $x \leftarrow x - \eta\, f'(x)$. Con $f(x) = \tfrac12 x^2$ la derivada
# es $x$, así que cada paso multiplica $x$ por $(1 - \eta)$.

# %%
plots.gradient_descent_1d(x0=4.0, lr=0.3, steps=10);

# %% [markdown]
# Si la tasa de aprendizaje es demasiado grande ($\eta > 2$ aquí), cada paso se pasa del
# mínimo cada vez más lejos: el descenso **diverge**.

# %%
plots.gradient_descent_1d(x0=1.0, lr=2.1, steps=8);

# %% [markdown]
# En dos dimensiones, el gradiente $\nabla f = (\partial f/\partial x, \partial f/\partial y)$
# apunta hacia donde más crece $f$; cada paso va en la dirección contraria, perpendicular a las
# curvas de nivel.

# %%
plots.gradient_descent_2d(start=(-1.5, 2.0), lr=0.2, steps=15);

# %% [markdown]
# **Prueba:** cambia `lr` en la celda del perceptrón (0.01, 1) y mira si cambia el número de
# épocas; en `gradient_descent_1d` busca el valor de η que llega antes al mínimo.
