-- Argo CD health of a PowerContainer: Healthy when its pod runs (or ran to completion).
local hs = { status = "Progressing", message = "waiting for the Uranus operator" }
if obj.status == nil or obj.status.phase == nil then
  return hs
end
local phase = obj.status.phase
if phase == "Running" then
  hs.status = "Healthy"
  hs.message = "running on " .. (obj.status.nodeName or "a contributor node")
elseif phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = "completed"
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = "failed"
  for _, c in ipairs(obj.status.conditions or {}) do
    if c.status == "False" and c.message ~= nil and c.message ~= "" then
      hs.message = c.message
    end
  end
else
  hs.message = "phase " .. phase
end
return hs
