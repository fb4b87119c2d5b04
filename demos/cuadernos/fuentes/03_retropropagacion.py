# %% [markdown]
# # 3. Retropropagación: la regla de la cadena, paso a paso
#
# Empezamos con el ejemplo de los apuntes, $f(x, y, z) = (x + y)\,z$ en $(2, 3, 4)$, con el
# motor escalar `Value`: cada operación guarda sus operandos y su derivada local, y
# `backward()` recorre el grafo al revés multiplicando derivadas.
#
# Después pasamos a la **forma matricial** con tensores: la misma regla, pero con matrices,
# transpuestas, sumas sobre el lote y productos elemento a elemento.

# %%
import numpy as np

import tinygrad_es as torch
from tinygrad_es import Tensor, Value
from tinygrad_es.viz import draw_graph, explain_backward

x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"
print(f"hacia delante: q = x + y = {q.data:g},  f = q·z = {f.data:g}")
draw_graph(f)

# %% [markdown]
# Antes de `backward()` ningún gradiente está calculado. La explicación recorre los nodos en
# orden topológico inverso: en cada operación escribe la derivada local de cada operando y la
# multiplica por el gradiente que llega de arriba.

# %%
explicacion = explain_backward(f)     # también ejecuta la retropropagación
print(explicacion)
print(f"\n∂f/∂x = {x.grad:g}, ∂f/∂y = {y.grad:g}, ∂f/∂z = {z.grad:g}")

# %%
draw_graph(f)        # ahora con todos los gradientes

# %% [markdown]
# Cada paso tiene su diapositiva: el nodo del paso resaltado y sólo los gradientes que ya se
# conocen en ese momento (`explicacion.save_frames("pasos/")` las guarda como SVG o PNG).

# %%
fotogramas = explicacion.frames()
fotogramas[2]

# %% [markdown]
# ### Comprobación numérica
#
# La derivada es el límite de $\frac{f(x+h) - f(x-h)}{2h}$; con $h$ pequeño tiene que salir lo
# mismo que con la regla de la cadena.

# %%
def f_num(x, y, z):
    return (x + y) * z

h = 1e-6
print("∂f/∂x ≈", (f_num(2 + h, 3, 4) - f_num(2 - h, 3, 4)) / (2 * h))
print("∂f/∂z ≈", (f_num(2, 3, 4 + h) - f_num(2, 3, 4 - h)) / (2 * h))

# %% [markdown]
# ### Una neurona: $a = \tanh(w_1 x_1 + w_2 x_2 + b)$
#
# La derivada local de la tangente hiperbólica es $1 - \tanh^2$: es lo que multiplica al
# gradiente cuando atraviesa la activación.

# %%
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.88, "b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
a = n.tanh()
a.label = "a"
print(explain_backward(a))
draw_graph(a)

# %% [markdown]
# ## Forma matricial
#
# Una red 3-4-2 sobre un lote de $N = 5$ ejemplos, con la convención de los apuntes
# ($Z = X W + b$, los pesos con forma entrada × salida) y error cuadrático medio:
#
# $$Z_1 = X W_1 + b_1,\; A_1 = \sigma(Z_1),\; Z_2 = A_1 W_2 + b_2,\; L = \tfrac{1}{N\cdot 2}\sum (Z_2 - Y)^2$$
#
# Las ecuaciones de la retropropagación, con $\delta = \partial L / \partial Z$:
#
# | gradiente | fórmula | formas |
# |---|---|---|
# | $\delta_2$ | $\frac{2}{N \cdot 2}(Z_2 - Y)$ | 5×2 |
# | $\partial L/\partial W_2$ | $A_1^\top \delta_2$ | (4×5)·(5×2) → 4×2 |
# | $\partial L/\partial b_2$ | $\sum_{\text{lote}} \delta_2$ | 2 |
# | $\delta_1$ | $(\delta_2 W_2^\top) \odot \sigma'(Z_1)$, con $\sigma' = \sigma(1-\sigma)$ | (5×2)·(2×4) → 5×4 |
# | $\partial L/\partial W_1$ | $X^\top \delta_1$ | (3×5)·(5×4) → 3×4 |
# | $\partial L/\partial b_1$ | $\sum_{\text{lote}} \delta_1$ | 4 |
#
# El sesgo se suma a cada fila del lote (*broadcasting*), así que su gradiente es la suma de
# las filas de δ.

# %%
rng = np.random.default_rng(0)
Xn, Yn = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
W1 = Tensor(rng.normal(size=(3, 4)) * 0.5, requires_grad=True, dtype="float64")
b1 = Tensor(np.zeros(4), requires_grad=True, dtype="float64")
W2 = Tensor(rng.normal(size=(4, 2)) * 0.5, requires_grad=True, dtype="float64")
b2 = Tensor(np.zeros(2), requires_grad=True, dtype="float64")
X, Y = Tensor(Xn, dtype="float64"), Tensor(Yn, dtype="float64")

Z1 = X @ W1 + b1
A1 = Z1.sigmoid()
Z2 = A1 @ W2 + b2
L = ((Z2 - Y) ** 2).mean()
L.backward()
print(f"L = {L.item():.4f}")

# %% [markdown]
# Ahora las mismas cuentas a mano con numpy, siguiendo la tabla, y la comparación con lo que
# dejó `backward()` en `.grad`:

# %%
a1, z2 = A1.numpy(), Z2.numpy()
d2 = 2 * (z2 - Yn) / z2.size                       # δ2: 5×2
gW2 = a1.T @ d2                                     # (4×5)·(5×2) → 4×2
gb2 = d2.sum(axis=0)                                # suma sobre el lote
d1 = (d2 @ W2.numpy().T) * a1 * (1 - a1)            # (5×2)·(2×4) → 5×4, ⊙ σ'(Z1)
gW1 = Xn.T @ d1                                     # (3×5)·(5×4) → 3×4
gb1 = d1.sum(axis=0)
for nombre, mano, t in (("W2", gW2, W2), ("b2", gb2, b2), ("W1", gW1, W1), ("b1", gb1, b1)):
    print(f"∂L/∂{nombre}: forma {mano.shape}, igual que backward(): {np.allclose(mano, t.grad)}")
print("\n∂L/∂W1 =\n", np.round(W1.grad, 4))

# %% [markdown]
# ## Softmax y entropía cruzada
#
# Con $\hat y = \mathrm{softmax}(z)$ y $L = -\sum_i y_i \ln \hat y_i$ (con $y$ en *one-hot*), la
# derivada respecto de los *logits* es simplemente $\hat y - y$: la misma resta que en el MSE.

# %%
import tinygrad_es.nn.functional as F

logits = Tensor([[2.0, 1.0, 0.1]], requires_grad=True, dtype="float64")
loss = F.cross_entropy(logits, [0])
loss.backward()
p = logits.softmax(dim=1).numpy()
print("softmax:", np.round(p, 4))
print("ŷ − y  :", np.round(p - np.array([[1, 0, 0]]), 4))
print("backward:", np.round(logits.grad, 4))
