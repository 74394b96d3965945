const fs=require('fs');
const p=JSON.parse(fs.readFileSync(process.argv[2]));
const byId=new Map(p.nodes.map(n=>[n.id,n]));
const parent=new Map();
for(const n of p.nodes) for(const c of n.children||[]) parent.set(c,n.id);
const self=new Map(); const dt=p.timeDeltas; 
const counts=new Map();
p.samples.forEach((s,i)=>counts.set(s,(counts.get(s)||0)+(dt[i]||0)));
// inclusive time per function name (our code only)
const incl=new Map(); const selfT=new Map();
for(const [id,t] of counts){
  const n=byId.get(id); const k=n.callFrame.functionName+' '+n.callFrame.url.split('/').slice(-2).join('/')+':'+n.callFrame.lineNumber;
  selfT.set(k,(selfT.get(k)||0)+t);
  const seen=new Set(); let cur=id;
  while(cur!==undefined){const m=byId.get(cur); const kk=m.callFrame.functionName+' '+m.callFrame.url.split('/').slice(-2).join('/'); if(!seen.has(kk)){seen.add(kk); incl.set(kk,(incl.get(kk)||0)+t);} cur=parent.get(cur);}
}
const top=(m,n)=>[...m].sort((a,b)=>b[1]-a[1]).slice(0,n).map(([k,v])=>(v/1000).toFixed(0).padStart(7)+'ms '+k).join('\n');
console.log('SELF\n'+top(selfT,25)); console.log('INCL\n'+top(new Map([...incl].filter(([k])=>/server\/|scripts\//.test(k))),45));
