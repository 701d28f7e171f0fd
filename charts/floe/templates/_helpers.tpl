{{/* The product's name as Kubernetes names allow it. */}}
{{- define "floe.name" -}}
{{- .Values.product.name | default .Chart.Name | lower | replace "_" "-" | trunc 40 | trimSuffix "-" -}}
{{- end }}

{{/* <release>-<product>: every object's name starts with it. */}}
{{- define "floe.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "floe.name" .) | trunc 52 | trimSuffix "-" -}}
{{- end }}

{{/* The environment's namespace: the plan's (floe-dev, floe-prod, floe-test-<uuid>), else the release's. */}}
{{- define "floe.namespace" -}}
{{- .Values.product.namespace | default .Release.Namespace -}}
{{- end }}

{{- define "floe.selectorLabels" -}}
app.kubernetes.io/name: floe
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{- define "floe.labels" -}}
{{ include "floe.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
floe.dev/product: {{ include "floe.name" . | quote }}
floe.dev/environment: {{ .Values.product.environment | default "none" | quote }}
{{- end }}

{{- define "floe.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end }}

{{/* The CronJob's schedule: the demo's batches, else floe.yaml's schedule, else the values'. */}}
{{- define "floe.schedule" -}}
{{- if .Values.demo.enabled -}}
{{- .Values.schedule.cron -}}
{{- else -}}
{{- .Values.product.schedule | default .Values.schedule.cron -}}
{{- end -}}
{{- end }}

{{/* Non-root, read-only root file system, no privilege escalation, no capabilities. */}}
{{- define "floe.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "floe.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
{{- end }}

{{/* Where floe finds things: the plan, its working directory, and each secret as files at
     /var/run/secrets/floe/<secret_ref>/<key>, where floe looks for them. */}}
{{- define "floe.volumeMounts" -}}
- name: plan
  mountPath: /etc/floe
  readOnly: true
- name: work
  mountPath: /var/lib/floe
- name: tmp
  mountPath: /tmp
{{- range .Values.product.secrets }}
- name: {{ printf "secret-%s" .name | quote }}
  mountPath: {{ printf "/var/run/secrets/floe/%s" .name | quote }}
  readOnly: true
{{- end }}
{{- end }}

{{- define "floe.volumes" -}}
- name: plan
  configMap:
    name: {{ .Values.compiledArtifacts.configMapName | quote }}
- name: work
{{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ printf "%s-work" (include "floe.fullname" .) | quote }}
{{- else }}
  emptyDir: {}
{{- end }}
- name: tmp
  emptyDir: {}
{{- range .Values.product.secrets }}
- name: {{ printf "secret-%s" .name | quote }}
  secret:
    secretName: {{ .name | quote }}
{{- end }}
{{- end }}

{{/* The environment every floe container runs with: secrets where they are mounted, and in demo
     mode lineage to Marquez and traces to Jaeger. */}}
{{- define "floe.env" -}}
- name: FLOE_SECRETS_MOUNT
  value: /var/run/secrets/floe
{{- if and .Values.demo.enabled .Values.observability.marquezEnabled }}
- name: FLOE_LINEAGE
  value: {{ printf "http://%s-marquez:5000/api/v1/lineage" (include "floe.fullname" .) | quote }}
{{- end }}
{{- if and .Values.demo.enabled .Values.observability.jaegerEnabled }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ printf "http://%s-jaeger:4318" (include "floe.fullname" .) | quote }}
{{- end }}
{{- end }}

{{/* The demo's batch as flags of floe apply --batch and floe demo. */}}
{{- define "floe.demoArgs" -}}
- --batch-size
- {{ .Values.schedule.batchSize | quote }}
- --null-rate
- {{ .Values.dataQuality.nullRate | quote }}
- --duplicate-rate
- {{ .Values.dataQuality.duplicateRate | quote }}
- --late-arrival-rate
- {{ .Values.dataQuality.lateArrivalRate | quote }}
{{- end }}
