-- ConvTranspose1d.lua — nn.ConvTranspose1d, 1-D transposed convolution as a layer (the machinery is nn.ConvNd).
return require("nn.ConvNd").class("ConvTranspose1d", 1, true,
  "nn.ConvTranspose1d(in_channels, out_channels, kernel_size, "
    .. "{stride=1, padding=0, output_padding=0, groups=1, bias=true, dilation=1, dtype=})",
  "1-D transposed convolution (conv1d's input gradient as a layer); weight (in, out/groups, k); "
    .. "m(x, output_size) picks the output length among those the stride allows.",
  [[
torch.manual_seed(0)
local up = nn.ConvTranspose1d(4, 2, 2, {stride = 2})
print(up)
print(table.concat(up(torch.randn(1, 4, 5)).shape, "x"))   -- the length doubles]])
