# %% [markdown]
# # 10. Comprobar gradientes: diferencias finitas e hypothesis
#
# Si programas tu propia operación, ¿cómo sabes que su `backward` está bien? Comparándolo con
# la definición de derivada: con $\varepsilon$ pequeño,
#
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$$
#
# (diferencias **centrales**: el error es del orden de $\varepsilon^2$). Es lo que hace
# `tinygrad_es.gradcheck`, en `float64` para que el redondeo no lo estropee. Y con
# **hypothesis** lo probamos no en un ejemplo, sino en cientos de formas y valores generados
# al azar.

# %%
import numpy as np

import tinygrad_es as torch
from tinygrad_es import Function, Tensor
import tinygrad_es.nn.functional as F
from tinygrad_es.gradcheck import GradcheckError, gradcheck, numerical_grad

# %% [markdown]
# ## A mano y con `gradcheck`

# %%
x = Tensor([[0.5, -1.2, 2.0]], requires_grad=True, dtype="float64")
f = lambda t: (t.tanh() * t).sum()                   # f(x) = Σ x·tanh(x)
f(x).backward()
numerico, = numerical_grad(f, [x.detach()])
print("backward():   ", x.grad)
print("dif. finitas: ", numerico)
v = x.detach().numpy()
print("fórmula:      ", np.tanh(v) + v * (1 - np.tanh(v) ** 2))

# %%
rng = np.random.default_rng(0)
A = Tensor(rng.normal(size=(4, 3)), requires_grad=True, dtype="float64")
B = Tensor(rng.normal(size=(3, 5)), requires_grad=True, dtype="float64")
print(gradcheck(lambda a, b: (a @ b).relu().sum(), [A, B]))
print(gradcheck(lambda a: F.cross_entropy(a, [0, 2, 1, 1]), [A]))

# %% [markdown]
# ## Una operación nueva... con un error
#
# Una `Function` define `forward` y `backward` (recibe el gradiente de arriba y devuelve el de cada
# entrada), como `torch.autograd.Function`: las dos trabajan con tensores. Aquí $\sin$, con su
# derivada **mal**: hemos puesto $\sin$ donde debía ir $\cos$.

# %%
class SenoMal(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * x.sin()            # ¡error! d sin(x)/dx = cos(x)


class Seno(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * x.cos()


t = Tensor([0.3, 1.0, 2.5], requires_grad=True, dtype="float64")
try:
    gradcheck(lambda v: SenoMal.apply(v).sum(), [t])
except GradcheckError as e:
    print("gradcheck detecta el error:\n", e)
print(gradcheck(lambda v: Seno.apply(v).sum(), [t]))

# %% [markdown]
# ## Cientos de casos con hypothesis
#
# En vez de elegir nosotros los valores, describimos **qué** valores valen (arrays de 1 a 3
# dimensiones, de 1 a 4 elementos por lado, números entre −3 y 3) y hypothesis genera ejemplos,
# incluidos los casos extremos (ceros, un solo elemento, valores repetidos). Si alguno falla,
# lo **reduce** al ejemplo más simple que sigue fallando.

# %%
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

valores = st.floats(-3, 3, allow_nan=False, width=64)
formas = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, formas, elements=valores))
def test_seno(a):
    gradcheck(lambda v: Seno.apply(v).sum(), [Tensor(a, requires_grad=True)])


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, formas, elements=valores))
def test_softmax(a):
    gradcheck(lambda v: (v.softmax(dim=-1) * Tensor(np.arange(a.shape[-1], dtype=np.float64))).sum(),
              [Tensor(a, requires_grad=True)])


test_seno()
test_softmax()
print("Seno y softmax: 40 ejemplos cada uno, todos correctos")

# %% [markdown]
# Y con la versión equivocada, hypothesis encuentra un contraejemplo y lo simplifica:

# %%
@settings(max_examples=40, deadline=None, database=None)
@given(hnp.arrays(np.float64, formas, elements=valores))
def test_seno_mal(a):
    gradcheck(lambda v: SenoMal.apply(v).sum(), [Tensor(a, requires_grad=True)])


try:
    test_seno_mal()
except GradcheckError as e:
    print("\n".join(getattr(e, "__notes__", [])))          # el ejemplo que hypothesis dejó al final
    print("contraejemplo mínimo encontrado por hypothesis:\n", str(e).splitlines()[1])

# %% [markdown]
# ## Un gráfico: el error de las diferencias finitas según ε
#
# Con ε grande domina el error de truncamiento (∝ ε²); con ε muy pequeño, el de redondeo
# (∝ 1/ε). Por eso `gradcheck` usa ε = 10⁻⁶ en float64.

# %%
import matplotlib.pyplot as plt

epsilons = np.logspace(-12, -1, 45)
x0 = 1.0
errores = [abs((np.sin(x0 + e) - np.sin(x0 - e)) / (2 * e) - np.cos(x0)) for e in epsilons]
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.loglog(epsilons, errores, "o-", ms=3)
ax.axvline(1e-6, color="C3", ls="--", label="ε de gradcheck")
ax.set_xlabel("ε"); ax.set_ylabel("|error| de la derivada de sin en x = 1"); ax.legend()
ax.set_title("Diferencias centrales: truncamiento frente a redondeo");
