/**
 * The cheap textual test that tells which manifest files may hold health-check configuration (argocd-cm
 * keys, chart values, ArgoCD CRs); only files that pass it are parsed by the health area.
 */
export const HEALTH_CONFIG_TEXT = /resource\.customizations|resourceHealthChecks|resourceCustomizations|^kind:\s*ArgoCD\s*$/m;
