-- Argo CD health of a ComputeContract: Healthy only when Running with every replica ready.
local hs = { status = "Progressing", message = "waiting for the Uranus operator" }
if obj.status == nil then
  return hs
end
local status = obj.status
local generation = obj.metadata.generation or 0
if status.observedGeneration == nil or status.observedGeneration < generation then
  hs.message = "the operator has not yet seen generation " .. generation
  return hs
end
local function condition_message(kind)
  for _, c in ipairs(status.conditions or {}) do
    if c.type == kind and c.message ~= nil and c.message ~= "" then
      return c.message
    end
  end
  return nil
end
local phase = status.phase or "Pending"
local wanted = obj.spec.replicas or 1
local ready = status.readyReplicas or 0
if phase == "Running" then
  if ready >= wanted then
    hs.status = "Healthy"
    hs.message = ready .. "/" .. wanted .. " replicas ready"
  else
    hs.message = ready .. "/" .. wanted .. " replicas ready"
  end
elseif phase == "Paused" then
  hs.status = "Degraded"
  hs.message = condition_message("Funded") or "paused: escrow cannot cover the next interval; top up to resume"
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = condition_message("Ready") or condition_message("Opened") or "the contract failed"
elseif phase == "Closed" then
  -- Git still asks for this contract, but nothing runs: only a Running contract is Healthy.
  hs.status = "Degraded"
  hs.message = "closed and settled; remove it from Git or apply a new contract"
else
  hs.message = "phase " .. phase
end
return hs
