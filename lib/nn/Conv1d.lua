-- Conv1d.lua — nn.Conv1d, 1-D convolution as a layer (the machinery is nn.ConvNd).
return require("nn.ConvNd").class("Conv1d", 1, false,
  "nn.Conv1d(in_channels, out_channels, kernel_size, "
    .. "{stride=1, padding=0, dilation=1, groups=1, bias=true, padding_mode='zeros', dtype=})",
  "1-D convolution over (N, C, L) or (C, L) inputs; weight (out, in/groups, k) with PyTorch's "
    .. "default initialisation; padding may also be 'same' (stride 1) or 'valid'.",
  [[
torch.manual_seed(0)
local conv = nn.Conv1d(2, 4, 3, {padding = 1})
print(conv)
print(table.concat(conv(torch.randn(8, 2, 10)).shape, "x"))   -- (N, out_channels, L)]])
